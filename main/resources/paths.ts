import { badRequest } from './errors';

export type EntityKind = 'thng' | 'product' | 'collection' | 'batch';
export type ActionTarget = { kind: 'thng' | 'product' | 'collection'; id: string };

/** One addressable resource, as MQTT topics, native WebSocket paths and REST URLs name it. */
export type ResourcePath =
  /** `actionType` is `all` for every type. */
  | { kind: 'actions'; target: ActionTarget | null; actionType: string }
  /** `key` null: all properties of the owner. */
  | { kind: 'properties'; owner: 'thng' | 'product'; ownerId: string; key: string | null }
  | { kind: 'thng'; id: string }
  | { kind: 'location'; thngId: string }
  | { kind: 'collection'; id: string }
  | { kind: 'collectionThngs'; id: string; thngId: string | null }
  | { kind: 'tasks'; batchId: string; taskId: string | null }
  // REST only: lists and the remaining single entities.
  | { kind: 'list'; entity: EntityKind }
  | { kind: 'actionTypes' }
  | { kind: 'product'; id: string }
  | { kind: 'batch'; id: string };

export interface ResourceAddress {
  path: ResourcePath;
  /** Canonical name of what the path notifies about (see `channelOf`). */
  channel: string;
  /** `?project=`: only resources of this project. */
  project: string | null;
  /** `?pubStates=1`: publish the current state on subscribe and on every reconnect. */
  pubStates: boolean;
}

const ROOTS = new Set(['thngs', 'products', 'collections', 'actions', 'batches']);
const TARGETS: Record<string, ActionTarget['kind']> = {
  thngs: 'thng',
  products: 'product',
  collections: 'collection',
};
const LISTS: Record<string, EntityKind> = {
  thngs: 'thng',
  products: 'product',
  collections: 'collection',
  batches: 'batch',
};
const MAX_SEGMENT = 256;

/** Whether a topic (or topic filter) is in the resource namespace: `[/]thngs/…`, `[/]actions`, … */
export function isResourceTopic(topic: string): boolean {
  const start = topic.charCodeAt(0) === 0x2f ? 1 : 0;
  let end = topic.length;
  for (let i = start; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2f || c === 0x3f) {
      end = i;
      break;
    }
  }
  return ROOTS.has(topic.slice(start, end));
}

function decode(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw badRequest(`"${segment}" is not a valid URL-encoded path segment`);
  }
  if (decoded === '' || decoded.length > MAX_SEGMENT) throw badRequest('empty or overlong path segment');
  return decoded;
}

/**
 * Parses `[/]thngs/:id/properties/:key?project=…&pubStates=1` and the other resource paths.
 * `rest` also accepts the REST-only list and entity paths. Throws a 400 ResourceError when the
 * path is in the resource namespace but names nothing.
 */
export function parseResourceAddress(raw: string, options: { rest?: boolean } = {}): ResourceAddress {
  const question = raw.indexOf('?');
  const pathPart = question < 0 ? raw : raw.slice(0, question);
  const query = new URLSearchParams(question < 0 ? '' : raw.slice(question + 1));
  if (/[+#]/.test(pathPart)) throw badRequest('wildcards are not supported in resource topics');
  const trimmed = pathPart.replace(/^\//, '').replace(/\/$/, '');
  const path = parsePath(trimmed.split('/').map(decode), options.rest === true);
  if (!path) throw badRequest(`"${pathPart}" is not a resource path`);
  const project = query.get('project');
  return {
    path,
    channel: channelOf(path),
    project: project === null || project === '' ? null : project,
    pubStates: query.get('pubStates') === '1' || query.get('pubStates') === 'true',
  };
}

function parsePath(s: string[], rest: boolean): ResourcePath | null {
  const [root, id, sub, key, extra] = s;
  if (root === undefined || extra !== undefined) return null;
  if (root === 'actions') {
    if (id === undefined)
      return rest ? { kind: 'actionTypes' } : { kind: 'actions', target: null, actionType: 'all' };
    return sub === undefined ? { kind: 'actions', target: null, actionType: id } : null;
  }
  if (id === undefined) return rest && LISTS[root] ? { kind: 'list', entity: LISTS[root] } : null;
  if (root === 'batches') {
    if (sub === undefined) return rest ? { kind: 'batch', id } : null;
    return sub === 'tasks' ? { kind: 'tasks', batchId: id, taskId: key ?? null } : null;
  }
  const target = TARGETS[root];
  if (!target) return null;
  if (sub === undefined) {
    if (target === 'thng') return { kind: 'thng', id };
    if (target === 'collection') return { kind: 'collection', id };
    return rest ? { kind: 'product', id } : null;
  }
  if (sub === 'actions')
    return key === undefined ? null : { kind: 'actions', target: { kind: target, id }, actionType: key };
  if (sub === 'properties' && target !== 'collection') {
    return { kind: 'properties', owner: target, ownerId: id, key: key ?? null };
  }
  if (sub === 'location' && target === 'thng' && key === undefined) return { kind: 'location', thngId: id };
  if (sub === 'thngs' && target === 'collection') {
    if (key === undefined) return { kind: 'collectionThngs', id, thngId: null };
    return rest ? { kind: 'collectionThngs', id, thngId: key } : null;
  }
  return null;
}

const enc = encodeURIComponent;

/** The canonical, unambiguous name of a path (segments URL-encoded, `actions` = `actions/all`). */
export function channelOf(path: ResourcePath): string {
  switch (path.kind) {
    case 'actions': {
      const base = path.target ? `${path.target.kind}s/${enc(path.target.id)}/` : '';
      return `${base}actions/${enc(path.actionType)}`;
    }
    case 'properties':
      return `${path.owner}s/${enc(path.ownerId)}/properties${path.key === null ? '' : `/${enc(path.key)}`}`;
    case 'thng':
      return `thngs/${enc(path.id)}`;
    case 'location':
      return `thngs/${enc(path.thngId)}/location`;
    case 'collection':
      return `collections/${enc(path.id)}`;
    case 'collectionThngs':
      return `collections/${enc(path.id)}/thngs`;
    case 'tasks':
      return `batches/${enc(path.batchId)}/tasks${path.taskId === null ? '' : `/${enc(path.taskId)}`}`;
    case 'list':
      return `${path.entity}s`;
    case 'actionTypes':
      return 'actions';
    case 'product':
      return `products/${enc(path.id)}`;
    case 'batch':
      return `batches/${enc(path.id)}`;
  }
}
