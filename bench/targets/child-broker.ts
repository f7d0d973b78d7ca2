import { spawn } from 'node:child_process';
import net from 'node:net';
import type { RunningBroker } from './types';

export interface ChildBrokerSpec {
  targetId: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Either the child prints `PORT <n>` on stdout, or it listens on this known port. */
  port?: number;
  cleanup?: () => void;
}

/** Starts a broker in its own process and waits until it accepts connections. */
export async function startChildBroker(spec: ChildBrokerSpec, timeoutMs = 30_000): Promise<RunningBroker> {
  // Raise the soft open-file limit to the hard limit (19,000 idle connections need it); `exec` keeps the pid.
  const raiseFileLimit = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"';
  const child = spawn('/bin/sh', ['-c', raiseFileLimit, spec.command, ...spec.args], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stderr.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-2000);
  });
  let exit: RunningBroker['exit'];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, stderrTail };
      spec.cleanup?.();
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${spec.targetId} did not start: ${stderrTail}`)),
      timeoutMs,
    );
    const done = (p: number) => {
      clearTimeout(timer);
      resolve(p);
    };
    exited.then(() => reject(new Error(`${spec.targetId} exited at start: ${stderrTail}`)));
    if (spec.port) {
      waitForPort(spec.port, timeoutMs).then(() => done(spec.port!), reject);
      return;
    }
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) done(Number(match[1]));
    });
  });
  child.stdout.resume();
  return {
    targetId: spec.targetId,
    port,
    pid: child.pid!,
    get exit() {
      return exit;
    },
    stop: async () => {
      if (exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free a moment ago (for brokers that cannot bind port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
