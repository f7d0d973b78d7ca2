import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_RUNTIME_FLAGS } from '../../main/cli/runtime-flags';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'out/main/cli.js');

export interface RunningCli {
  child: ChildProcess;
  url: string;
  token: string;
  readyLine: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Arguments for a headless run that touches only loopback and free ports: `serve` on a data directory,
 * operator UI and an MQTT listener on port 0, bound to 127.0.0.1; `extra` adds or overrides flags.
 */
export function loopbackArgs(command: 'serve' | 'start', dataDir: string, ...extra: string[]): string[] {
  return [
    command,
    '--data-dir',
    dataDir,
    '--http-port',
    '0',
    '--broker-host',
    '127.0.0.1',
    '--mqtt-port',
    '0',
    ...extra,
  ];
}

function assertBuilt(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before these tests`);
}

/** Runs the built CLI to completion and returns its output and exit code. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000) {
  assertBuilt();
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`fieldbench ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    // 'close' waits for stdout/stderr to drain; 'exit' can come first
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the built CLI and waits for its ready line. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<RunningCli> {
  assertBuilt();
  const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, CLI, ...args], {
    env: { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '', ...env },
    stdio: 'pipe',
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fieldbench exited with ${code} before it was ready:\n${out}`));
    });
    const check = () => {
      const match = /Fieldbench ready — open (\S+)#token=([A-Za-z0-9_-]+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.off('data', check);
      const line = out.split('\n').find((l) => l.includes('Fieldbench ready'))!;
      resolve({
        child,
        url: match[1]!,
        token: match[2]!,
        readyLine: line,
        output: () => out,
        stop: (signal = 'SIGTERM') =>
          new Promise((res) => {
            if (child.exitCode !== null) {
              res({ code: child.exitCode, ms: 0 });
              return;
            }
            const started = Date.now();
            child.once('exit', (code) => res({ code, ms: Date.now() - started }));
            child.kill(signal);
          }),
      });
    };
    child.stdout!.on('data', check);
  });
}
