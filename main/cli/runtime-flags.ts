/**
 * V8 flags the Fieldbench process runs with (npm start/serve, the `fieldbench` bin, the Electron main
 * process, and the benchmark's broker process).
 *
 * Why: V8 grows the young generation up to 16 MiB semi-spaces when allocation is heavy (a burst of
 * connects, a message flood) and keeps it. For a broker holding 19,000 idle connections that headroom
 * alone is ~1.7 KiB of RSS per connection. 2 MiB semi-spaces keep RSS close to what is really retained
 * (measured 4.5 → 2.8 KiB per idle connection) for about a 10% throughput cost under saturation.
 */
export const NODE_RUNTIME_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The same flags in the form Electron's `--js-flags` switch takes them. */
export function electronJsFlagsArg(): string {
  return `--js-flags=${NODE_RUNTIME_FLAGS.join(' ')}`;
}
