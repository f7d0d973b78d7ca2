import fs from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/** Total user+system CPU seconds a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes, or NaN when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU use of several processes between `start()` and `stop()`, as a percentage of one core. */
export class CpuMeter {
  private readonly started = new Map<number, number>();
  private startedAt = 0;

  start(pids: number[]): void {
    this.startedAt = performance.now();
    for (const pid of pids) this.started.set(pid, cpuSeconds(pid));
  }

  /** Percent of one core per pid, over the elapsed wall time. */
  stop(): Map<number, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const result = new Map<number, number>();
    for (const [pid, before] of this.started) result.set(pid, ((cpuSeconds(pid) - before) / seconds) * 100);
    return result;
  }
}
