import { EventEmitter } from 'node:events';
import type { BrokerEventMap } from './types';

type Listener<K extends keyof BrokerEventMap> = (event: BrokerEventMap[K]) => void;

/** Typed facade over EventEmitter for broker lifecycle events. */
export class BrokerEvents {
  private readonly emitter = new EventEmitter();
  /** Whether `message.delivered` has listeners: read on every delivery, so kept as a plain field. */
  deliveredWatched = false;

  constructor() {
    this.emitter.setMaxListeners(100);
    this.emitter.on('newListener', (name: string) => {
      if (name === 'message.delivered') this.deliveredWatched = true;
    });
    this.emitter.on('removeListener', (name: string) => {
      if (name === 'message.delivered') this.deliveredWatched = this.has('message.delivered');
    });
  }

  on<K extends keyof BrokerEventMap>(name: K, listener: Listener<K>): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  once<K extends keyof BrokerEventMap>(name: K, listener: Listener<K>): () => void {
    this.emitter.once(name, listener);
    return () => this.emitter.off(name, listener);
  }

  off<K extends keyof BrokerEventMap>(name: K, listener: Listener<K>): void {
    this.emitter.off(name, listener);
  }

  /** Whether anyone listens, so producers can skip building the event. */
  has(name: keyof BrokerEventMap): boolean {
    return this.emitter.listenerCount(name) > 0;
  }

  emit<K extends keyof BrokerEventMap>(name: K, event: BrokerEventMap[K]): void {
    this.emitter.emit(name, event);
  }
}
