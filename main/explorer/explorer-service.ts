import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type {
  ExplorerConnectionInfo,
  ExplorerPacket,
  ExplorerSubscription,
} from '../../preload/contract/explorer';
import type { EventBus } from '../api/event-bus';
import type { KeyProtector } from '../secrets';
import { CaptureWriter } from './capture/capture-writer';
import type { Replay } from './capture/replay';
import { type ConnectionState, ExternalConnection } from './connections/external-connection';
import { LocalConnection } from './connections/local-connection';
import { ProfileStore } from './connections/profile-store';
import { HistoryQueries } from './history/history-queries';
import { type HistoryOptions, HistoryStore } from './history/history-store';
import { StoredTopicReader } from './history/stored-topics';
import { PacketLog } from './packets/packet-log';
import { makePreview } from './preview';
import { PinStore } from './store/pin-store';
import { TemplateStore } from './store/template-store';
import { TopicTree } from './tree/topic-tree';
import { type SeedResult, TreeSeeding } from './tree/tree-seeder';
import { ViewManager } from './tree/views';
import type { FlowMessage, FlowPacket, LocalBrokerSource } from './types';
import { ExportFolder } from './files/export-folder';

export const LOCAL = 'local';
const DELTA_INTERVAL_MS = 150;
const RATE_INTERVAL_MS = 1000;

export interface ExplorerOptions {
  db: Database;
  events: EventBus;
  keyProtector: KeyProtector;
  logger: Logger;
  dataDir: string;
  broker?: LocalBrokerSource;
  history?: HistoryOptions;
  /** Distinct topics kept per connection tree. */
  maxTopicsPerConnection?: number;
  /** Desktop: asks the operator for a folder (native dialog); answers its path, or null if cancelled. */
  chooseFolder?: () => Promise<string | null>;
}

/**
 * The explorer's state: connections, their topic trees and history, views, packet subscribers,
 * captures and replays. Handlers (handlers.ts) translate API calls into calls on this.
 */
export class ExplorerService {
  readonly history: HistoryStore;
  readonly queries: HistoryQueries;
  readonly profiles: ProfileStore;
  readonly templates: TemplateStore;
  readonly pins: PinStore;
  readonly views: ViewManager;
  readonly packets: PacketLog;
  readonly local: LocalConnection | undefined;
  readonly external = new Map<string, ExternalConnection>();
  readonly captures = new Map<string, CaptureWriter>();
  readonly replays = new Map<string, Replay>();
  /** Where captures and exports are written and opened files are read from. */
  readonly files: ExportFolder;
  private readonly trees = new Map<string, TopicTree>();
  /** Trees filled from stored history, at most once per connection and run. */
  private readonly seedings = new Map<string, TreeSeeding>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private lastCountedMessages = 0;

  constructor(readonly options: ExplorerOptions) {
    this.files = new ExportFolder(path.join(options.dataDir, 'exports'));
    const { db, logger } = options;
    this.history = new HistoryStore(db, logger, options.history);
    this.queries = new HistoryQueries(db);
    this.profiles = new ProfileStore(db, options.keyProtector);
    this.templates = new TemplateStore(db);
    this.pins = new PinStore(db);
    this.views = new ViewManager({
      tree: (id) => this.trees.get(id),
      isPinned: (id, topic) => this.pins.isPinned(id, topic),
      emit: (delta) => options.events.emit('explorer.tree.delta', delta),
      watchingChanged: (id) => this.updateWatching(id),
    });
    this.packets = new PacketLog((id) => this.updateWatching(id));
    if (options.broker) {
      this.local = new LocalConnection(
        options.broker,
        {
          message: (m) => this.onMessage(m),
          packet: (p) => this.onPacket(LOCAL, p, 5),
          retained: (m) => void this.onBrokerRetained(m),
        },
        logger,
      );
      this.seedFromHistory(LOCAL);
    }
    const tick = setInterval(() => this.tickDeltas(), DELTA_INTERVAL_MS);
    const rates = setInterval(() => this.tickRates(), RATE_INTERVAL_MS);
    tick.unref();
    rates.unref();
    this.timers.push(tick, rates);
  }

  tree(connectionId: string): TopicTree {
    let tree = this.trees.get(connectionId);
    if (!tree) {
      tree = new TopicTree({ maxTopics: this.options.maxTopicsPerConnection ?? 1_000_000 });
      this.trees.set(connectionId, tree);
    }
    return tree;
  }

  existingTree(connectionId: string): TopicTree | undefined {
    return this.trees.get(connectionId);
  }

  hasConnection(connectionId: string): boolean {
    return connectionId === LOCAL ? this.local !== undefined : this.external.has(connectionId);
  }

  connectionInfos(): ExplorerConnectionInfo[] {
    const infos: ExplorerConnectionInfo[] = [];
    if (this.local) {
      const tree = this.trees.get(LOCAL);
      infos.push({
        id: LOCAL,
        name: 'Embedded broker',
        kind: 'local',
        state: 'connected',
        subscriptions: [],
        messages: tree?.messages ?? 0,
        topics: tree?.topics ?? 0,
        dropped: this.local.dropped,
      });
    }
    for (const conn of this.external.values()) infos.push(this.externalInfo(conn));
    return infos;
  }

  externalInfo(conn: ExternalConnection): ExplorerConnectionInfo {
    const tree = this.trees.get(conn.id);
    const info: ExplorerConnectionInfo = {
      id: conn.id,
      name: conn.profile.name,
      kind: 'external',
      state: conn.state,
      subscriptions: conn.subscriptions,
      messages: tree?.messages ?? 0,
      topics: tree?.topics ?? 0,
    };
    if (conn.error) info.error = conn.error;
    return info;
  }

  /** Opens an external connection for a saved profile (its id is the connection id). */
  async openExternal(profileId: string): Promise<ExternalConnection> {
    const existing = this.external.get(profileId);
    if (existing && existing.state !== 'error' && existing.state !== 'closed') return existing;
    const profile = this.profiles.resolve(profileId);
    if (!profile) throw new Error(`No profile ${profileId}`);
    const conn = new ExternalConnection(
      profileId,
      profile,
      {
        message: (m) => this.onMessage(m),
        packet: (p) => this.onPacket(profileId, p, profile.mqttVersion),
        state: (state: ConnectionState) => {
          if (state === 'closed') this.external.delete(profileId);
          this.emitConnections();
        },
      },
      this.options.logger,
    );
    this.external.set(profileId, conn);
    conn.wantPackets = this.packetsWanted(profileId);
    try {
      // Stored topics first: the broker's retained messages on subscribe are then recognised as known.
      this.seedFromHistory(profileId);
      await this.seeded(profileId);
      await conn.open();
    } catch (err) {
      this.external.delete(profileId);
      this.emitConnections();
      throw err;
    }
    return conn;
  }

  async closeExternal(connectionId: string): Promise<boolean> {
    const conn = this.external.get(connectionId);
    if (!conn) return false;
    await conn.close();
    this.external.delete(connectionId);
    this.emitConnections();
    return true;
  }

  async setSubscriptions(
    connectionId: string,
    subs: ExplorerSubscription[],
    persist: boolean,
  ): Promise<void> {
    const conn = this.external.get(connectionId);
    if (!conn) throw new Error(`Connection ${connectionId} is not open`);
    await conn.setSubscriptions(subs);
    if (persist) this.profiles.setSubscriptions(connectionId, subs);
    this.emitConnections();
  }

  /**
   * Starts filling the connection's tree with the topics of its stored history (so it is not empty
   * after a restart). Only once per run, and only into an empty tree: live messages already in the
   * tree are stored too, and would be counted twice.
   */
  seedFromHistory(connectionId: string): void {
    if (this.closed || this.seedings.has(connectionId)) return;
    const tree = this.tree(connectionId);
    if (tree.topics > 0) return;
    // Queued messages get ids above the reader's cutoff once written: only stored rows are read.
    this.history.flush();
    const seeding = new TreeSeeding(tree, new StoredTopicReader(this.options.db, connectionId));
    this.seedings.set(connectionId, seeding);
    seeding.done.then(
      (r) => this.options.logger.info({ connectionId, ...r }, 'explorer tree seeded from history'),
      (err) =>
        this.options.logger.error({ err, connectionId }, 'explorer could not seed the tree from history'),
    );
  }

  /** Resolves once the connection's tree holds its stored history (undefined when never seeded). */
  async seeded(connectionId: string): Promise<SeedResult | undefined> {
    return this.seedings.get(connectionId)?.done.catch(() => undefined);
  }

  /** Forgets the connection's tree (stored history stays), stopping a seeding in progress. */
  clearTree(connectionId: string): void {
    this.seedings.get(connectionId)?.cancel();
    this.existingTree(connectionId)?.clear();
    this.views.resetConnection(connectionId);
  }

  emitConnections(): void {
    if (this.closed) return;
    this.options.events.emit('explorer.connections', { connections: this.connectionInfos() });
  }

  startCapture(opts: {
    connectionId: string;
    file?: string | undefined;
    redactPayloads: boolean;
    redactCredentials: boolean;
    includePackets: boolean;
  }): CaptureWriter {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const name =
      opts.file ?? `capture-${opts.connectionId.replace(/[^\w-]/g, '_').slice(0, 40)}-${stamp}.jsonl`;
    const { stream } = this.files.create(name, 'capture');
    const writer = new CaptureWriter({ ...opts, file: name }, stream);
    this.captures.set(writer.id, writer);
    this.updateWatching(opts.connectionId);
    return writer;
  }

  async stopCapture(captureId: string): Promise<CaptureWriter | undefined> {
    const writer = this.captures.get(captureId);
    if (!writer) return undefined;
    await writer.stop();
    this.updateWatching(writer.options.connectionId);
    return writer;
  }

  /** Attaches or detaches the local tap, and turns packet summaries on or off, as watchers come and go. */
  updateWatching(connectionId: string): void {
    const packets = this.packetsWanted(connectionId);
    if (connectionId === LOCAL && this.local) {
      this.local.wantPackets = packets;
      const capturing = this.activeCaptures(LOCAL).length > 0;
      this.local.setWatching(this.views.hasViews(LOCAL) || this.packets.countFor(LOCAL) > 0 || capturing);
    }
    const conn = this.external.get(connectionId);
    if (conn) conn.wantPackets = packets;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const seeding of this.seedings.values()) seeding.cancel();
    for (const t of this.timers) clearInterval(t);
    for (const replay of this.replays.values()) replay.stop();
    await Promise.all([...this.replays.values()].map((r) => r.done));
    for (const writer of this.captures.values()) await writer.stop();
    await Promise.all([...this.external.values()].map((c) => c.close().catch(() => undefined)));
    this.local?.close();
    this.history.close();
  }

  private packetsWanted(connectionId: string): boolean {
    return (
      this.packets.countFor(connectionId) > 0 ||
      this.activeCaptures(connectionId).some((c) => c.options.includePackets)
    );
  }

  private activeCaptures(connectionId: string): CaptureWriter[] {
    return [...this.captures.values()].filter((c) => c.active && c.options.connectionId === connectionId);
  }

  private onMessage(m: FlowMessage): void {
    if (this.isStoredRetained(m)) return;
    this.tree(m.connectionId).ingest(m);
    this.history.add(m);
    for (const writer of this.captures.values()) {
      if (writer.active && writer.options.connectionId === m.connectionId) writer.addMessage(m);
    }
  }

  /**
   * The local broker lists its retained messages when the tap attaches; wait for the seeded tree,
   * and only mark topics whose shown value is newer (onMessage recognises an equal stored one).
   */
  private async onBrokerRetained(m: FlowMessage): Promise<void> {
    await this.seeded(m.connectionId);
    if (this.closed) return;
    const tree = this.tree(m.connectionId);
    const node = tree.find(m.topic);
    if (node && node.messages > 0 && node.lastTime > m.time) tree.setRetained(m.topic, true);
    else this.onMessage(m);
  }

  /**
   * A retained message equal to the stored last value of a topic seen only in history is that value
   * sent again (to a new subscription or tap after a restart), not a new publish: mark, don't count.
   */
  private isStoredRetained(m: FlowMessage): boolean {
    if (!m.retain || m.payload.length === 0) return false;
    const tree = this.tree(m.connectionId);
    const node = tree.find(m.topic);
    if (!node?.fromHistory || node.lastSize !== m.payload.length) return false;
    if (node.preview !== makePreview(m.payload).text) return false;
    tree.setRetained(m.topic, true);
    return true;
  }

  private onPacket(connectionId: string, p: FlowPacket, mqttVersion: 3 | 4 | 5): void {
    const record: ExplorerPacket = this.packets.record(connectionId, p, mqttVersion);
    for (const writer of this.captures.values()) {
      if (writer.active && writer.options.connectionId === connectionId) writer.addPacket(record);
    }
  }

  private tickDeltas(): void {
    try {
      this.views.tick(this.trees.keys());
      for (const batch of this.packets.takeBatches()) this.options.events.emit('explorer.packets', batch);
    } catch (err) {
      this.options.logger.error({ err }, 'explorer delta tick failed');
    }
  }

  private tickRates(): void {
    const now = Date.now();
    let messages = 0;
    for (const tree of this.trees.values()) {
      tree.tickRates(now);
      messages += tree.messages;
    }
    // Connection counters change with traffic: refresh them at most once a second, only when they moved.
    if (messages !== this.lastCountedMessages && this.options.events.hasListeners) {
      this.lastCountedMessages = messages;
      this.emitConnections();
    }
    for (const writer of this.captures.values()) {
      if (!writer.active) continue;
      this.options.events.emit('explorer.capture.status', captureInfo(writer));
    }
  }
}

export function captureInfo(writer: CaptureWriter) {
  return {
    captureId: writer.id,
    connectionId: writer.options.connectionId,
    file: writer.options.file,
    startedAt: writer.startedAt,
    messages: writer.messages,
    packets: writer.packets,
    bytes: writer.bytes,
    redactPayloads: writer.options.redactPayloads,
    redactCredentials: writer.options.redactCredentials,
    active: writer.active,
  };
}
