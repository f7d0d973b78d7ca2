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
