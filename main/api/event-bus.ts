import type { EventDataOf, EventName } from '../../preload/contract';

export type AnyEventListener = (name: EventName, data: unknown) => void;

/**
 * In-process fan-out of operator-API events to the transports. Producers call `emit`;
 * each transport subscribes once and applies its own per-client bounds.
 */
export class EventBus {
  private readonly listeners = new Set<AnyEventListener>();

  emit<E extends EventName>(name: E, data: EventDataOf<E>): void {
    for (const listener of this.listeners) listener(name, data);
  }

  /** True when some transport is listening, so producers can skip building expensive payloads. */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: AnyEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
