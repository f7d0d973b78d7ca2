import { type Core, type CoreOptions, createCore, type ListenerFlags } from '../../main/core';
import type { MethodName, RequestOf, ResponseOf } from '../../preload/contract';
import { callCore } from './core-call';
import { listenerPort } from './mosquitto-clients';
import { tempDir } from './temp-dir';

/** An in-process core as `fieldbench serve` builds it, for tests. */
export interface TestCore {
  core: Core;
  dataDir: string;
  /** Calls an API method as the internal actor `test`; throws on an error outcome. */
  call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>>;
  /** The port of a listener of this kind (`mqtt`, `mqtts`, `mqtts-mutual`, `ws`, `wss`) from the ready line. */
  port(kind: string): number;
  close(): Promise<void>;
}

export interface TestCoreOptions extends Partial<Omit<CoreOptions, 'listeners'>> {
  /** Listener ports to open (0: a free one), on 127.0.0.1 unless `brokerHost` says otherwise. */
  listeners?: Partial<ListenerFlags>;
}

/** Starts a headless core on a fresh temporary data directory (unless `dataDir` is given). */
export async function startTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const { listeners, ...rest } = options;
  const dataDir = options.dataDir ?? tempDir('fb-core-');
  const core = await createCore({
    mode: 'headless',
    ...rest,
    dataDir,
    ...(listeners ? { listeners: { brokerHost: '127.0.0.1', ...listeners } } : {}),
  });
  return {
    core,
    dataDir,
    call: (method, request) => callCore(core, method, request),
    port: (kind) => listenerPort(core.readyDetails(), kind),
    close: () => core.close(),
  };
}

/** The root account and the embedded messaging service, which every fresh core has. */
export async function rootAndLocalService(
  call: TestCore['call'],
): Promise<{ rootId: string; localServiceId: string }> {
  const root = (await call('accounts.list', {})).accounts.find((a) => a.parentId === null);
  const local = (await call('services.list', {})).services.find((s) => s.kind === 'embedded');
  if (!root || !local) throw new Error('a fresh core has a root account and the embedded service');
  return { rootId: root.id, localServiceId: local.id };
}
