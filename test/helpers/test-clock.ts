/**
 * An injected clock for code that takes `now` (BrokerOptions.now, PkiOptions.now, …): it runs with real
 * time from a settable offset, so sockets, TLS peers and tools still agree, and a test jumps ahead with
 * `advance` instead of sleeping.
 */
export interface TestClock {
  /** The clock as a Date (PkiOptions.now). */
  now: () => Date;
  /** The clock in epoch milliseconds (BrokerOptions.now). */
  ms: () => number;
  set(date: Date): void;
  advance(ms: number): void;
  advanceDays(days: number): void;
}

export function testClock(start = new Date()): TestClock {
  let offset = start.getTime() - Date.now();
  const ms = () => Date.now() + offset;
  return {
    now: () => new Date(ms()),
    ms,
    set: (date) => {
      offset = date.getTime() - Date.now();
    },
    advance: (by) => {
      offset += by;
    },
    advanceDays: (days) => {
      offset += days * 86_400_000;
    },
  };
}
