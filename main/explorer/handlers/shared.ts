import { ApiError } from '../../api/api-error';
import type { HandlersFor } from '../../api/handlers';
import type { explorerMethods } from '../../../preload/contract/explorer';
import { type ExplorerService, LOCAL } from '../explorer-service';
import { accountPrefix } from '../topic-match';

export type ExplorerHandlers = HandlersFor<keyof typeof explorerMethods>;

/** The handlers whose method names start with one of `Prefix`. */
export type HandlerGroup<Prefix extends string> = {
  [K in keyof ExplorerHandlers as K extends `${Prefix}${string}` ? K : never]: ExplorerHandlers[K];
};

export const ok = { ok: true as const };

export function requireConnection(s: ExplorerService, connectionId: string): void {
  if (!s.hasConnection(connectionId))
    throw new ApiError('NOT_FOUND', `Connection "${connectionId}" is not open`);
}

/** Publishes on `local` (into `account`'s namespace) or on an external connection. */
export async function publishOn(
  s: ExplorerService,
  connectionId: string,
  topic: string,
  account: string | undefined,
  payload: Buffer,
  opts: { qos: 0 | 1 | 2; retain: boolean; properties?: Record<string, unknown> },
): Promise<void> {
  requireConnection(s, connectionId);
  try {
    if (connectionId === LOCAL && s.local) await s.local.publish(topic, account, payload, opts);
    else await s.external.get(connectionId)?.publish(accountPrefix(account) + topic, payload, opts);
  } catch (err) {
    throw new ApiError('UNAVAILABLE', `Publish failed: ${(err as Error).message}`);
  }
}
