import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { type ProcessResult, run } from './process';

/** Parses `mqtt 127.0.0.1:1234` style entries from the ready line / readyDetails. */
export function listenerPort(details: string[] | string, kind: string): number {
  const text = Array.isArray(details) ? details.join(', ') : details;
  const match = new RegExp(`(?:^|[(, ])${kind} [^ ,)]*:(\\d+)`).exec(text);
  if (!match) throw new Error(`no ${kind} listener in "${text}"`);
  return Number(match[1]);
}

/**
 * mosquitto_pub with `pubArgs` every 200 ms (each must succeed) until `subscriber`, a running
 * mosquitto_sub whose subscription cannot be observed, exits, or `timeoutMs` passes; resolves with the
 * subscriber's result. `log` adds e.g. the broker's log to a failed publish.
 */
export async function publishUntilReceived(
  subscriber: Promise<ProcessResult>,
  pubArgs: string[],
  options: { timeoutMs?: number; log?: () => string } = {},
): Promise<ProcessResult> {
  let exited = false;
  const done = subscriber.then((r) => {
    exited = true;
    return r;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!exited && Date.now() < deadline) {
    const pub = await run('mosquitto_pub', pubArgs);
    assert.equal(pub.code, 0, options.log ? `${pub.stderr}\n${options.log()}` : pub.stderr);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  return done;
}

/** `mosquitto_pub` one message to 127.0.0.1:`port` (payload from stdin, so any bytes work). */
export async function mosquittoPub(
  port: number,
  topic: string,
  payload: string | Buffer,
  opts: { retain?: boolean; qos?: 0 | 1 | 2; extra?: string[] } = {},
): Promise<void> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-s', '-q', String(opts.qos ?? 1)];
  if (opts.retain) args.push('-r');
  if (opts.extra) args.push(...opts.extra);
  const res = await run('mosquitto_pub', args, { timeoutMs: 10_000, input: payload });
  if (res.code !== 0) throw new Error(`mosquitto_pub failed (${res.code}): ${res.stderr}`);
}

/** `mosquitto_pub` to 127.0.0.1:`port` with raw arguments, waiting for it (throws if it fails). */
export function mosquittoPubSync(port: number, args: string[]): void {
  execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    stdio: 'pipe',
    timeout: 10_000,
  });
}

/** `mosquitto_sub -v` on `topic`; `extra` adds e.g. `-C 1` (stop after one message) or `-W 2` (stop after 2 s). */
export function mosquittoSub(port: number, topic: string, ...extra: string[]): Promise<ProcessResult> {
  return run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-v', ...extra]);
}
