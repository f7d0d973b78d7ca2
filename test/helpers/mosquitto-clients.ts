import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs mosquitto_pub / mosquitto_sub (or any command) with a hard timeout; never throws on exit codes. */
export function runProcess(command: string, args: string[], timeoutMs = 15_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses `mqtt 127.0.0.1:1234` style entries from the ready line / readyDetails. */
export function listenerPort(details: string[] | string, kind: string): number {
  const text = Array.isArray(details) ? details.join(', ') : details;
  const match = new RegExp(`(?:^|[(, ])${kind} [^ ,)]*:(\\d+)`).exec(text);
  if (!match) throw new Error(`no ${kind} listener in "${text}"`);
  return Number(match[1]);
}
