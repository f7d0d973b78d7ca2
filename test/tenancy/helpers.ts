import type { z } from 'zod';
import { tenancyMethods } from '../../preload/contract/tenancy';
import fs from 'node:fs';
import pino from 'pino';
import { tempDir } from '../helpers/temp-dir';
import type { CallContext } from '../../main/api/handlers';
import type { ListenerKind } from '../../main/broker/hooks';
import { openStore, type Store } from '../../main/store';
import { createTenancy, type RunningListener, type TenancyOptions } from '../../main/tenancy';

export const operator: CallContext = { transport: 'internal', actor: 'test-operator' };

export interface TenancyFixture {
  dir: string;
  store: Store;
  tenancy: ReturnType<typeof createTenancy>;
  listeners: RunningListener[];
  close(): void;
}

/**
 * A tenancy over a real SQLite file in a fresh temp directory, or in `dataDir` (to reopen one, as after a
 * restart; the caller's directory is kept on close).
 */
export function openTenancy(overrides: Partial<TenancyOptions> = {}, dataDir?: string): TenancyFixture {
  const dir = dataDir ?? tempDir();
  const store = openStore(dir);
  const listeners: RunningListener[] = [];
  const tenancy = createTenancy({
    db: store.db,
    logger: pino({ level: 'silent' }),
    listenerKinds: () => [...new Set(listeners.map((l) => l.kind))] as ListenerKind[],
    runningListeners: () => listeners,
    expirySweepMs: 0,
    ...overrides,
  });
  return {
    dir,
    store,
    tenancy,
    listeners,
    close() {
      tenancy.close();
      store.close();
      if (dataDir === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls a handler the way a transport would (with the request already parsed). */
export function rootId(fx: TenancyFixture): string {
  const root = fx.tenancy.accounts.root();
  if (!root) throw new Error('no root account');
  return root.id;
}

export function localServiceId(fx: TenancyFixture): string {
  const local = fx.tenancy.services.list().find((s) => s.kind === 'embedded');
  if (!local) throw new Error('no local service');
  return local.id;
}

type TenancyMethod = keyof typeof tenancyMethods;

/** Calls a tenancy handler the way a transport does: parse (with defaults), then await. */
export async function call<M extends TenancyMethod>(
  fx: TenancyFixture,
  method: M,
  request: z.input<(typeof tenancyMethods)[M]['request']>,
  ctx: CallContext = operator,
): Promise<z.output<(typeof tenancyMethods)[M]['response']>> {
  const parsed = tenancyMethods[method].request.parse(request);
  const handler = fx.tenancy.handlers[method] as (req: unknown, ctx: CallContext) => unknown;
  return (await handler(parsed, ctx)) as z.output<(typeof tenancyMethods)[M]['response']>;
}
