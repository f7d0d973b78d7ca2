import type { ApiKeyType } from '../../preload/contract/tenancy';
import { forbidden } from './errors';
import type { ResourcePath } from './paths';

/** What an API key may reach in the resource API. */
export interface ResourceAccess {
  accountId: string;
  apiKeyId: string;
  keyName: string;
  keyType: ApiKeyType;
  /** A device key's own Thng (null: not bound yet, so it reaches nothing). */
  thngId: string | null;
  /** Only resources of this project, when set. */
  projectId: string | null;
}

export type AccessMode = 'read' | 'write';

/** The Thng a path is about, when it is about exactly one Thng. */
function thngOf(path: ResourcePath): string | null {
  switch (path.kind) {
    case 'thng':
      return path.id;
    case 'location':
      return path.thngId;
    case 'properties':
      return path.owner === 'thng' ? path.ownerId : null;
    case 'actions':
      return path.target?.kind === 'thng' ? path.target.id : null;
    default:
      return null;
  }
}

/**
 * EVRYTHNG-style key types: an operator key reaches everything in its account; an application key
 * reads everything and may create actions; a device key reaches only its own Thng (its properties,
 * location and actions). Throws a 403 ResourceError otherwise.
 */
export function assertAllowed(access: ResourceAccess, path: ResourcePath, mode: AccessMode): void {
  if (access.keyType === 'operator') return;
  if (access.keyType === 'application') {
    if (mode === 'read' || path.kind === 'actions') return;
    throw forbidden(`An application key may not change ${path.kind}`);
  }
  const own = thngOf(path);
  if (access.thngId === null) throw forbidden('This device key is not bound to a Thng');
  if (own !== access.thngId) throw forbidden('A device key may only use its own Thng');
}
