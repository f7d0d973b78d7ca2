import crypto from 'node:crypto';
import type { CommissioningRun } from '../../preload/contract/serial';
import { commissionOnePort, type RunInput, type RunServices } from './run';
import type { CommissioningRecord } from './record';

const MAX_KEPT_RUNS = 200;

/**
 * Station mode: one run per port, all at once. Each run is isolated: its failure ends only its own row.
 * Keeps the runs of this session (bounded) for the progress table.
 */
export class Station {
  private readonly runs = new Map<string, CommissioningRun>();
  private readonly busyPorts = new Set<string>();
  private readonly devices = new Map<string, string>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly services: Omit<RunServices, 'claimDevice' | 'releaseDevice'>,
    private readonly finish: (record: CommissioningRecord) => Promise<string>,
    private readonly emit: (run: CommissioningRun) => void,
  ) {}

  isBusy(path: string): boolean {
    return this.busyPorts.has(path);
  }

  list(): CommissioningRun[] {
    return [...this.runs.values()].reverse();
  }

  /** Starts a run per port; a port already running is refused for that port only. */
  start(inputs: RunInput[]): CommissioningRun[] {
    return inputs.map((input) => {
      const run: CommissioningRun = {
        id: crypto.randomUUID(),
        port: input.path,
        step: 'queued',
        state: 'running',
        detail: '',
        deviceSerial: null,
        deviceModel: null,
        recordId: null,
        startedAt: Date.now(),
        endedAt: null,
      };
      this.keep(run);
      if (this.busyPorts.has(input.path)) {
        Object.assign(run, {
          state: 'failed',
          step: 'open port',
          detail: `${input.path} already has a run`,
          endedAt: Date.now(),
        });
        this.emit({ ...run });
        return { ...run };
      }
      this.busyPorts.add(input.path);
      const task = this.execute(run, input).finally(() => {
        this.busyPorts.delete(input.path);
        this.inFlight.delete(task);
      });
      this.inFlight.add(task);
      return { ...run };
    });
  }

  private keep(run: CommissioningRun): void {
    this.runs.set(run.id, run);
    if (this.runs.size > MAX_KEPT_RUNS) {
      const oldest = [...this.runs.values()].find((r) => r.state !== 'running');
      if (oldest) this.runs.delete(oldest.id);
    }
  }

  private async execute(run: CommissioningRun, input: RunInput): Promise<void> {
    const services: RunServices = {
      ...this.services,
      claimDevice: (serial, port) => {
        const holder = this.devices.get(serial);
        if (holder && holder !== port) return holder;
        this.devices.set(serial, port);
        return null;
      },
      releaseDevice: (serial, port) => {
        if (this.devices.get(serial) === port) this.devices.delete(serial);
      },
    };
    try {
      const record = await commissionOnePort(input, services, (p) => {
        // The final progress comes after the record is stored, so its id is in the row.
        if (p.state !== 'running') return;
        Object.assign(run, {
          step: p.step,
          detail: p.detail,
          deviceSerial: p.device?.serial ?? null,
          deviceModel: p.device?.model ?? null,
        });
        this.emit({ ...run });
      });
      run.recordId = await this.finish(record);
      const last = record.steps[record.steps.length - 1];
      Object.assign(run, {
        state: record.result,
        step: record.result === 'succeeded' ? 'done' : (last?.name ?? run.step),
        detail: record.error ?? `online in account ${record.targetAccount.name}`,
      });
    } catch (err) {
      Object.assign(run, { state: 'failed', detail: `internal error: ${(err as Error).message}` });
    }
    run.endedAt = Date.now();
    this.emit({ ...run });
  }

  /** Waits for every run in progress (shutdown, tests). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
