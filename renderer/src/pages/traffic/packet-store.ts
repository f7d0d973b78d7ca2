import { create } from 'zustand';
import type { ExplorerPacket } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';

/** Packets kept for the live log; older ones fall off. */
export const MAX_PACKETS = 50_000;
const RATE_POINTS = 60;

export interface PacketFilter {
  clientId?: string;
  topic?: string;
  types?: string[];
  direction?: 'in' | 'out';
}

interface PacketUiState {
  version: number;
  count: number;
  paused: boolean;
  pending: number;
  dropped: number;
  subscriptionId: string | undefined;
  error: string | undefined;
  rateHistory: number[];
}

export const usePackets = create<PacketUiState>(() => ({
  version: 0,
  count: 0,
  paused: false,
  pending: 0,
  dropped: 0,
  subscriptionId: undefined,
  error: undefined,
  rateHistory: [],
}));

/** The live packet log: batches from `explorer.packets`, appended at most once per animation frame. */
class PacketModel {
  packets: ExplorerPacket[] = [];
  private queue: ExplorerPacket[] = [];
  private held: ExplorerPacket[] = [];
  private frame = false;
  private unsubscribe: (() => void) | undefined;
  private generation = 0;
  private perSecond = 0;
  private rateTimer: ReturnType<typeof setInterval> | undefined;

  async start(connectionId: string, filter: PacketFilter): Promise<void> {
    const generation = ++this.generation;
    await this.stop(false);
    this.packets = [];
    this.queue = [];
    this.held = [];
    usePackets.setState((s) => ({
      version: s.version + 1,
      count: 0,
      pending: 0,
      dropped: 0,
      error: undefined,
    }));
    this.unsubscribe = api().on('explorer.packets', (batch) => {
      if (batch.subscriptionId !== usePackets.getState().subscriptionId) return;
      this.perSecond += batch.packets.length;
      if (batch.dropped) usePackets.setState((s) => ({ dropped: s.dropped + batch.dropped }));
      if (usePackets.getState().paused) {
        for (const p of batch.packets) this.held.push(p);
        if (this.held.length > MAX_PACKETS) this.held.splice(0, this.held.length - MAX_PACKETS);
        usePackets.setState((s) => ({ pending: s.pending + batch.packets.length }));
        return;
      }
      for (const p of batch.packets) this.queue.push(p);
      this.schedule();
    });
    this.rateTimer = setInterval(() => {
      const rate = this.perSecond;
      this.perSecond = 0;
      usePackets.setState((s) => ({ rateHistory: [...s.rateHistory.slice(-(RATE_POINTS - 1)), rate] }));
    }, 1000);
    try {
      const { subscriptionId } = await api().call('explorer.packets.subscribe', {
        connectionId,
        filter: clean(filter),
      });
      if (generation !== this.generation) {
        api()
          .call('explorer.packets.unsubscribe', { subscriptionId })
          .catch(() => {});
        return;
      }
      usePackets.setState({ subscriptionId });
    } catch (err) {
      if (generation === this.generation) usePackets.setState({ error: errorMessage(err) });
    }
  }

  async stop(bump = true): Promise<void> {
    if (bump) this.generation++;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.rateTimer) clearInterval(this.rateTimer);
    this.rateTimer = undefined;
    const { subscriptionId } = usePackets.getState();
    usePackets.setState({ subscriptionId: undefined });
    if (subscriptionId)
      await api()
        .call('explorer.packets.unsubscribe', { subscriptionId })
        .catch(() => {});
  }

  async setFilter(filter: PacketFilter): Promise<void> {
    const { subscriptionId } = usePackets.getState();
    if (!subscriptionId) return;
    try {
      await api().call('explorer.packets.update', { subscriptionId, filter: clean(filter) });
      this.clear();
      usePackets.setState({ error: undefined });
    } catch (err) {
      usePackets.setState({ error: errorMessage(err) });
    }
  }

  clear(): void {
    this.packets = [];
    this.held = [];
    usePackets.setState((s) => ({ version: s.version + 1, count: 0, pending: 0 }));
  }

  setPaused(paused: boolean): void {
    usePackets.setState({ paused });
    if (!paused) {
      for (const p of this.held) this.queue.push(p);
      this.held = [];
      usePackets.setState({ pending: 0 });
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = true;
    requestAnimationFrame(() => {
      this.frame = false;
      if (this.queue.length === 0) return;
      // Append in place; trim the oldest in chunks so a busy log does not copy 50,000 rows every frame.
      for (const p of this.queue) this.packets.push(p);
      this.queue = [];
      if (this.packets.length > MAX_PACKETS * 1.1) this.packets.splice(0, this.packets.length - MAX_PACKETS);
      usePackets.setState((s) => ({ version: s.version + 1, count: this.packets.length }));
    });
  }
}

function clean(filter: PacketFilter) {
  const out: {
    clientId?: string;
    topic?: string;
    types?: ('connect' | 'publish')[];
    direction?: 'in' | 'out';
  } = {};
  if (filter.clientId) out.clientId = filter.clientId;
  if (filter.topic) out.topic = filter.topic;
  if (filter.types?.length) out.types = filter.types as ('connect' | 'publish')[];
  if (filter.direction) out.direction = filter.direction;
  return out;
}

export const packetModel = new PacketModel();
