import type { ExplorerConnectionError } from '../../../preload/contract/explorer';
import { ApiError } from '../../api/api-error';
import { exportProfiles, profileFromUrl } from '../connections/profile-url';
import { type ExplorerService, LOCAL } from '../explorer-service';
import { type HandlerGroup, ok } from './shared';

function isConnectionError(err: unknown): err is ExplorerConnectionError {
  return !!err && typeof err === 'object' && 'kind' in err && 'message' in err && !(err instanceof Error);
}

/** Connections, their subscriptions, and saved profiles. */
export function connectionHandlers(
  s: ExplorerService,
): HandlerGroup<'explorer.connections.' | 'explorer.subscriptions.' | 'explorer.profiles.'> {
  return {
    'explorer.connections.list': () => ({ connections: s.connectionInfos() }),
    'explorer.connections.open': async ({ profileId }) => {
      if (!s.profiles.get(profileId)) throw new ApiError('NOT_FOUND', `No profile "${profileId}"`);
      try {
        return s.externalInfo(await s.openExternal(profileId));
      } catch (err) {
        if (isConnectionError(err)) throw new ApiError('UNAVAILABLE', err.message, err);
        throw new ApiError('UNAVAILABLE', (err as Error).message);
      }
    },
    'explorer.connections.close': async ({ connectionId }) => {
      if (connectionId === LOCAL) throw new ApiError('BAD_REQUEST', 'The local connection cannot be closed');
      if (!(await s.closeExternal(connectionId)))
        throw new ApiError('NOT_FOUND', `Connection "${connectionId}" is not open`);
      return ok;
    },
    'explorer.subscriptions.set': async ({ connectionId, subscriptions, persist }) => {
      const conn = s.external.get(connectionId);
      if (!conn) throw new ApiError('NOT_FOUND', `External connection "${connectionId}" is not open`);
      try {
        await s.setSubscriptions(connectionId, subscriptions, persist);
      } catch (err) {
        throw new ApiError('UNAVAILABLE', `Subscribing failed: ${(err as Error).message}`);
      }
      return s.externalInfo(conn);
    },

    'explorer.profiles.list': () => ({ profiles: s.profiles.list() }),
    'explorer.profiles.save': (input) => s.profiles.save(input),
    'explorer.profiles.delete': async ({ profileId }) => {
      await s.closeExternal(profileId);
      if (!s.profiles.delete(profileId)) throw new ApiError('NOT_FOUND', `No profile "${profileId}"`);
      return ok;
    },
    'explorer.profiles.importUrl': ({ url, name }) => {
      try {
        return s.profiles.save(profileFromUrl(url, name));
      } catch (err) {
        throw new ApiError('BAD_REQUEST', (err as Error).message);
      }
    },
    'explorer.profiles.export': ({ profileIds }) => {
      const all = s.profiles.list();
      return { json: exportProfiles(profileIds ? all.filter((p) => profileIds.includes(p.id)) : all) };
    },
  };
}
