import type { resourceMethods, ResourceKeyDto } from '../../preload/contract/resources';
import { ApiError } from '../api/api-error';
import type { HandlersFor } from '../api/handlers';
import type { ApiKeyRow } from '../tenancy/api-keys';
import type { AuditLog } from '../tenancy/audit';
import type { ResourceAccess } from './access';
import { actionDto } from './dto';
import { ResourceError } from './errors';
import type { ResourceHub } from './hub';
import type { RestListeners } from './rest-listeners';
import type { ResourceService } from './service';
import type { ResourceStore } from './store';

export interface ResourceHandlerDeps {
  service: ResourceService;
  store: ResourceStore;
  hub: ResourceHub;
  rest: RestListeners;
  apiKeys: { list(accountId: string): { id: string }[]; row(id: string): ApiKeyRow | undefined };
  bindKey(apiKeyId: string, thngId: string | null, projectId: string | null): void;
  audit?: Pick<AuditLog, 'record'>;
}

const SCOPE_WORDS: Record<ApiKeyRow['type'], string> = {
  operator: 'everything in the account',
  application: 'reads everything, creates actions',
  device: 'only its own Thng',
};

/** The operator looks at an account with an operator key's reach. */
const operatorOf = (accountId: string): ResourceAccess => ({
  accountId,
  apiKeyId: 'operator',
  keyName: 'operator',
  keyType: 'operator',
  thngId: null,
  projectId: null,
});

function asApiError(err: unknown): never {
  if (!(err instanceof ResourceError)) throw err;
  const code = err.status === 404 ? 'NOT_FOUND' : err.status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
  throw new ApiError(code, err.message);
}

/** Operator-API handlers of the Resources page. */
export function createResourceHandlers(deps: ResourceHandlerDeps): HandlersFor<keyof typeof resourceMethods> {
  const { service, store } = deps;
  const list = (accountId: string, entity: 'thng' | 'product' | 'collection') =>
    service.read(
      operatorOf(accountId),
      { path: { kind: 'list', entity }, channel: '', project: null, pubStates: false },
      { perPage: 100 },
    ) as Record<string, unknown>[];

  const keyDto = (row: ApiKeyRow): ResourceKeyDto => {
    const binding = store.binding(row.id);
    const thngId = binding?.thng_id ?? null;
    const projectId = binding?.project_id ?? null;
    let scope = SCOPE_WORDS[row.type];
    if (row.type === 'device') scope = thngId ? `only Thng ${thngId}` : 'nothing yet (bind it to a Thng)';
    if (projectId) scope += `, in project ${projectId}`;
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      hint: row.hint,
      revoked: row.revoked_at !== null,
      thngId,
      projectId,
      scope,
    };
  };

  return {
    'resources.overview': ({ accountId }) => ({
      thngs: list(accountId, 'thng'),
      products: list(accountId, 'product'),
      collections: list(accountId, 'collection'),
      actions: store.actions(accountId, {}, { limit: 100 }).map(actionDto),
      keys: deps.apiKeys
        .list(accountId)
        .map((k) => deps.apiKeys.row(k.id))
        .filter((row): row is ApiKeyRow => row !== undefined)
        .map(keyDto),
      subscribers: deps.hub
        .subscribers(accountId)
        .map((s) => ({ protocol: s.protocol, channel: s.channel, ...s.describe() })),
    }),
    'resources.history': (req) => {
      const owner = store.entity(req.ownerId);
      if (!owner || owner.account_id !== req.accountId)
        throw new ApiError('NOT_FOUND', `No Thng or product ${req.ownerId}`);
      const points = store
        .history(owner.id, req.key, { from: req.from, to: req.to, limit: req.perPage })
        .map((row) => ({ value: JSON.parse(row.value) as unknown, timestamp: row.timestamp }));
      return { points };
    },
    'resources.locations': (req) => {
      try {
        const address = {
          path: { kind: 'location' as const, thngId: req.thngId },
          channel: '',
          project: null,
          pubStates: false,
        };
        return {
          locations: service.read(operatorOf(req.accountId), address, { perPage: req.perPage }) as never,
        };
      } catch (err) {
        return asApiError(err);
      }
    },
    'resources.createThng': (req, call) => {
      try {
        const address = {
          path: { kind: 'list' as const, entity: 'thng' as const },
          channel: '',
          project: null,
          pubStates: false,
        };
        const result = service.write(operatorOf(req.accountId), address, {
          name: req.name,
          ...(req.product ? { product: req.product } : {}),
        });
        deps.audit?.record(call, 'resources.createThng', `account:${req.accountId}`, { name: req.name });
        return result.body as Record<string, unknown>;
      } catch (err) {
        return asApiError(err);
      }
    },
    'resources.bindKey': (req, call) => {
      const row = deps.apiKeys.row(req.apiKeyId);
      if (!row) throw new ApiError('NOT_FOUND', `No API key with id ${req.apiKeyId}`);
      if (req.thngId !== null) {
        const thng = store.entity(req.thngId);
        if (thng?.kind !== 'thng' || thng.account_id !== row.account_id) {
          throw new ApiError('NOT_FOUND', `No Thng ${req.thngId} in the key's account`);
        }
      }
      deps.bindKey(row.id, req.thngId, req.projectId);
      deps.audit?.record(call, 'resources.bindKey', `apiKey:${row.id}`, {
        thngId: req.thngId,
        projectId: req.projectId,
      });
      return keyDto(row);
    },
    'resources.restListeners.list': () => ({ listeners: deps.rest.list() }),
    'resources.restListeners.set': async (req, call) => {
      const status = await deps.rest.set(req);
      deps.audit?.record(call, 'resources.restListeners.set', `rest-listener:${status.id}`, req);
      return status;
    },
    'resources.restListeners.remove': async (req, call) => {
      const removed = deps.rest.list().some((l) => l.id === req.id);
      await deps.rest.remove(req.id);
      deps.audit?.record(call, 'resources.restListeners.remove', `rest-listener:${req.id}`);
      return { removed };
    },
  };
}
