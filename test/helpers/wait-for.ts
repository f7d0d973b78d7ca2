// Captured at load, so waiting keeps working while a test has node:test mock timers enabled.
const realSetTimeout = globalThis.setTimeout;

/**
 * Polls `condition` until it returns a truthy value, or fails after `timeoutMs` with `what` in the message.
 * Polls quickly at first (5 ms) and backs off to every 50 ms, so fast conditions cost little.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  let pause = 5;
  while (performance.now() < deadline) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => realSetTimeout(r, pause));
    pause = Math.min(pause * 2, 50);
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}
