/** A broker the bench can start: Fieldbench, aedes, mosquitto, ... */
export interface BrokerTarget {
  id: string;
  label: string;
  /** Why the target cannot run here (e.g. not installed), or undefined when it can. */
  unavailable(): string | undefined;
  start(): Promise<RunningBroker>;
}

export interface RunningBroker {
  readonly targetId: string;
  readonly port: number;
  readonly pid: number;
  /** Set once the process has exited; a crash while a scenario runs is reported as `crashed`. */
  readonly exit: { code: number | null; signal: string | null; stderrTail: string } | undefined;
  stop(): Promise<void>;
}
