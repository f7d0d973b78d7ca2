import { assertAllowed, type ResourceAccess } from './access';
import { actionDto, entityDto, locationDto, type PropertyValue, propertyDto } from './dto';
import { Entities, newId } from './entities';
import { badRequest, forbidden, notFound, ResourceError } from './errors';
import type { ResourceHub } from './hub';
import type { ResourceLimits } from './limits';
import { type ActionTarget, channelOf, type ResourceAddress, type ResourcePath } from './paths';
import {
  actionInputSchema,
  type HistoryQuery,
  historyQuerySchema,
  locationUpdatesSchema,
  propertyUpdatesSchema,
} from './payloads';
import type { EntityRow, ResourceStore } from './store';
import { boundedJson, parseOr400 } from './validate';

export interface WriteResult {
  status: 200 | 201;
  body: unknown;
}

const asList = (body: unknown): unknown[] => (Array.isArray(body) ? body : [body]);

/**
 * The resource model behind every protocol: MQTT publishes, native WebSocket messages and REST
 * writes all go through `write`, which stores the change and notifies the channel's subscribers.
 */
export class ResourceService {
  readonly entities: Entities;

  constructor(
    private readonly store: ResourceStore,
    private readonly hub: ResourceHub,
    private readonly limits: ResourceLimits,
    private readonly now: () => number,
  ) {
    this.entities = new Entities(store, limits, now);
  }

  /** Throws 403/404 unless the key may read (subscribe to) the address. */
  checkReadable(access: ResourceAccess, address: ResourceAddress): void {
    this.projectOf(access, address);
    assertAllowed(access, address.path, 'read');
    this.owner(access, address.path);
  }

  /** Throws 403/404 unless the key may write (publish to) the address. */
  checkWritable(access: ResourceAccess, address: ResourceAddress): void {
    assertAllowed(access, address.path, 'write');
  }

  /** A key scoped to a project reads only it; `?project=` narrows further. */
  projectOf(access: ResourceAccess, address: ResourceAddress): string | null {
    if (access.projectId !== null && address.project !== null && address.project !== access.projectId) {
      throw forbidden(`This key is limited to project ${access.projectId}`);
    }
    return access.projectId ?? address.project;
  }

  write(access: ResourceAccess, address: ResourceAddress, body: unknown): WriteResult {
    const path = address.path;
    assertAllowed(access, path, 'write');
    return this.store.transaction(() => this.apply(access, path, body));
  }

  private apply(access: ResourceAccess, path: ResourcePath, body: unknown): WriteResult {
    const ok = (b: unknown): WriteResult => ({ status: 200, body: b });
    const created = (b: unknown): WriteResult => ({ status: 201, body: b });
    switch (path.kind) {
      case 'properties':
        return ok(this.updateProperties(access, path.owner, path.ownerId, path.key, body));
      case 'actions':
        return created(this.createAction(access, path.target, path.actionType, body));
      case 'location':
        return ok(this.updateLocation(access, path.thngId, body));
      case 'thng':
      case 'collection':
      case 'product':
      case 'batch': {
        const row = this.entities.update(access, this.entities.require(access, path.kind, path.id), body);
        this.notifyEntity(row);
        return ok(this.entities.dto(row));
      }
      case 'collectionThngs': {
        const collection = this.entities.require(access, 'collection', path.id);
        const at = this.now();
        const added = this.entities
          .collectionThngs(access, body)
          .filter((id) => this.store.addMember(collection.id, id, at));
        this.notifyMembers(collection, 'thngsAdded', added, at);
        return ok(this.store.members(collection.id));
      }
      case 'tasks': {
        const batch = this.entities.require(access, 'batch', path.batchId);
        const task =
          path.taskId === null
            ? this.entities.createTask(access, batch, body)
            : this.entities.updateTask(access, batch, path.taskId, body);
        const dto = entityDto(task);
        this.hub.notify(
          access.accountId,
          task.project_id,
          `batches/${encodeURIComponent(batch.id)}/tasks`,
          dto,
        );
        this.hub.notify(access.accountId, task.project_id, channelOf({ ...path, taskId: task.id }), dto);
        return path.taskId === null ? created(dto) : ok(dto);
      }
      case 'list': {
        const row = this.entities.create(access, path.entity, body);
        return created(this.entities.dto(row));
      }
      case 'actionTypes':
        return created(entityDto(this.entities.create(access, 'actionType', body)));
    }
  }

  read(access: ResourceAccess, address: ResourceAddress, rawQuery: unknown): unknown {
    const path = address.path;
    const project = this.projectOf(access, address);
    assertAllowed(access, path, 'read');
    const query = parseOr400(historyQuerySchema, rawQuery ?? {}, 'query');
    const range = this.range(query);
    switch (path.kind) {
      case 'properties': {
        const owner = this.entities.require(access, path.owner, path.ownerId);
        if (path.key === null) return this.store.properties(owner.id).map(propertyDto);
        if (!this.store.property(owner.id, path.key)) throw notFound(`No property "${path.key}"`);
        return this.store.history(owner.id, path.key, range).map(propertyDto);
      }
      case 'actions': {
        const target = path.target;
        if (target) this.entities.require(access, target.kind, target.id);
        const column = target ? (`${target.kind}_id` as const) : undefined;
        const filter = {
          type: path.actionType,
          projectId: project,
          ...(target ? { column, id: target.id } : {}),
        };
        return this.store.actions(access.accountId, filter, range).map(actionDto);
      }
      case 'location':
        return this.store
          .locations(this.entities.require(access, 'thng', path.thngId).id, range)
          .map(locationDto);
      case 'thng':
      case 'collection':
      case 'product':
      case 'batch':
        return this.entities.dto(this.entities.require(access, path.kind, path.id));
      case 'collectionThngs': {
        const collection = this.entities.require(access, 'collection', path.id);
        const members = this.store.members(collection.id);
        if (path.thngId === null)
          return members.map((id) => this.entities.thngDto(this.entities.require(access, 'thng', id)));
        if (!members.includes(path.thngId)) throw notFound(`Thng ${path.thngId} is not in this collection`);
        return this.entities.thngDto(this.entities.require(access, 'thng', path.thngId));
      }
      case 'tasks': {
        const batch = this.entities.require(access, 'batch', path.batchId);
        if (path.taskId !== null) {
          const task = this.entities.require(access, 'task', path.taskId);
          if (task.parent_id !== batch.id) throw notFound(`No task ${path.taskId} in batch ${batch.id}`);
          return entityDto(task);
        }
        return this.store
          .listEntities(access.accountId, 'task', { parentId: batch.id, limit: range.limit })
          .map((row) => entityDto(row));
      }
      case 'list':
        return this.store
          .listEntities(access.accountId, path.entity, { projectId: project, limit: range.limit })
          .map((row) => this.entities.dto(row));
      case 'actionTypes':
        return this.store
          .listEntities(access.accountId, 'actionType', { projectId: project, limit: range.limit })
          .map((row) => entityDto(row));
    }
  }

  remove(access: ResourceAccess, address: ResourceAddress): void {
    const path = address.path;
    assertAllowed(access, path, 'write');
    this.store.transaction(() => {
      if (
        path.kind === 'thng' ||
        path.kind === 'collection' ||
        path.kind === 'product' ||
        path.kind === 'batch'
      ) {
        this.store.deleteEntity(this.entities.require(access, path.kind, path.id).id);
        return;
      }
      if (path.kind !== 'collectionThngs') throw new ResourceError(400, `${path.kind} cannot be deleted`);
      const collection = this.entities.require(access, 'collection', path.id);
      const at = this.now();
      if (path.thngId === null) {
        this.notifyMembers(collection, 'thngsCleared', this.store.clearMembers(collection.id), at);
      } else if (this.store.removeMember(collection.id, path.thngId)) {
        this.notifyMembers(collection, 'thngsRemoved', [path.thngId], at);
      } else throw notFound(`Thng ${path.thngId} is not in this collection`);
    });
  }

  /** What `?pubStates=1` publishes for an address: its current value, or undefined when it has none. */
  currentState(access: ResourceAccess, address: ResourceAddress): unknown {
    const path = address.path;
    switch (path.kind) {
      case 'properties': {
        const owner = this.entities.require(access, path.owner, path.ownerId);
        if (path.key === null) return this.store.properties(owner.id).map(propertyDto);
        const row = this.store.property(owner.id, path.key);
        return row ? [propertyDto(row)] : undefined;
      }
      case 'location': {
        const row = this.store.locations(this.entities.require(access, 'thng', path.thngId).id, {
          limit: 1,
        })[0];
        return row ? [locationDto(row)] : undefined;
      }
      case 'thng':
      case 'collection':
        return this.entities.dto(this.entities.require(access, path.kind, path.id));
      default:
        return undefined;
    }
  }

  /** The entity an address hangs off, checked to exist in the key's account (404 otherwise). */
  private owner(access: ResourceAccess, path: ResourcePath): EntityRow | null {
    switch (path.kind) {
      case 'properties':
        return this.entities.require(access, path.owner, path.ownerId);
      case 'actions':
        return path.target ? this.entities.require(access, path.target.kind, path.target.id) : null;
      case 'location':
        return this.entities.require(access, 'thng', path.thngId);
      case 'thng':
      case 'collection':
      case 'product':
      case 'batch':
        return this.entities.require(access, path.kind, path.id);
      case 'collectionThngs':
        return this.entities.require(access, 'collection', path.id);
      case 'tasks':
        return this.entities.require(access, 'batch', path.batchId);
      default:
        return null;
    }
  }

  private updateProperties(
    access: ResourceAccess,
    ownerKind: 'thng' | 'product',
    ownerId: string,
    pathKey: string | null,
    body: unknown,
  ): PropertyValue[] {
    const owner = this.entities.require(access, ownerKind, ownerId);
    const updates = parseOr400(propertyUpdatesSchema, asList(body), 'property update');
    const at = this.now();
    const values = updates.map((u) => {
      const key = pathKey ?? u.key;
      if (!key) throw badRequest('Each property update needs a "key"');
      if (pathKey !== null && u.key !== undefined && u.key !== pathKey) {
        throw badRequest(`The update is for "${u.key}" but the path names "${pathKey}"`);
      }
      if (!('value' in u)) throw badRequest(`The update of "${key}" has no "value"`);
      const json = boundedJson(u.value, this.limits.maxValueBytes, `The value of "${key}"`);
      return { key, json, value: { key, value: u.value ?? null, timestamp: u.timestamp ?? at } };
    });
    const fresh = new Set(values.map((v) => v.key).filter((k) => !this.store.property(owner.id, k)));
    if (
      fresh.size > 0 &&
      this.store.countProperties(owner.id) + fresh.size > this.limits.propertiesPerOwner
    ) {
      throw new ResourceError(
        413,
        `A ${ownerKind} may have at most ${this.limits.propertiesPerOwner} properties`,
      );
    }
    for (const v of values)
      this.store.setProperty(owner.id, { key: v.key, value: v.json, timestamp: v.value.timestamp });
    const all = values.map((v) => v.value);
    const base = { kind: 'properties' as const, owner: ownerKind, ownerId: owner.id };
    this.hub.notify(access.accountId, owner.project_id, channelOf({ ...base, key: null }), all);
    for (const key of new Set(all.map((v) => v.key))) {
      const channel = channelOf({ ...base, key });
      if (this.hub.has(access.accountId, channel)) {
        this.hub.notify(
          access.accountId,
          owner.project_id,
          channel,
          all.filter((v) => v.key === key),
        );
      }
    }
    return all;
  }

  private createAction(
    access: ResourceAccess,
    target: ActionTarget | null,
    pathType: string,
    body: unknown,
  ): Record<string, unknown> {
    const input = parseOr400(actionInputSchema, body ?? {}, 'action');
    const type = pathType === 'all' ? input.type : pathType;
    if (!type) throw badRequest('An action needs a "type"');
    if (input.type !== undefined && input.type !== type) {
      throw badRequest(`The action is of type "${input.type}" but the path names "${type}"`);
    }
    const ids = {
      thng: target?.kind === 'thng' ? target.id : input.thng,
      product: target?.kind === 'product' ? target.id : input.product,
      collection: target?.kind === 'collection' ? target.id : input.collection,
    };
    let project: string | null = access.projectId;
    for (const kind of ['thng', 'product', 'collection'] as const) {
      const id = ids[kind];
      if (id !== undefined) project = this.entities.require(access, kind, id).project_id ?? project;
    }
    const at = this.now();
    const extra = { customFields: input.customFields, tags: input.tags, location: input.location };
    const row = {
      id: newId(),
      account_id: access.accountId,
      project_id: project,
      type,
      thng_id: ids.thng ?? null,
      product_id: ids.product ?? null,
      collection_id: ids.collection ?? null,
      body: boundedJson(extra, this.limits.maxPayloadBytes, 'The action'),
      timestamp: input.timestamp ?? at,
      created_at: at,
    };
    this.store.insertAction(row);
    const dto = actionDto(row);
    const enc = encodeURIComponent;
    const channels = ['actions/all', `actions/${enc(type)}`];
    for (const kind of ['thng', 'product', 'collection'] as const) {
      const id = ids[kind];
      if (id !== undefined)
        channels.push(`${kind}s/${enc(id)}/actions/all`, `${kind}s/${enc(id)}/actions/${enc(type)}`);
    }
    for (const channel of channels) this.hub.notify(access.accountId, project, channel, dto);
    return dto;
  }

  private updateLocation(access: ResourceAccess, thngId: string, body: unknown) {
    const thng = this.entities.require(access, 'thng', thngId);
    const updates = parseOr400(locationUpdatesSchema, asList(body), 'location update');
    const at = this.now();
    const values = updates.map((u) => ({ position: u.position, timestamp: u.timestamp ?? at }));
    for (const v of values) {
      const [longitude, latitude] = v.position.coordinates;
      this.store.addLocation(thng.id, { longitude, latitude, body: '{}', timestamp: v.timestamp });
    }
    this.hub.notify(
      access.accountId,
      thng.project_id,
      channelOf({ kind: 'location', thngId: thng.id }),
      values,
    );
    return values;
  }

  private notifyEntity(row: EntityRow): void {
    if (row.kind !== 'thng' && row.kind !== 'collection') return;
    const channel = channelOf({ kind: row.kind, id: row.id });
    if (this.hub.has(row.account_id, channel))
      this.hub.notify(row.account_id, row.project_id, channel, this.entities.dto(row));
  }

  private notifyMembers(
    collection: EntityRow,
    operation: string,
    resources: string[],
    timestamp: number,
  ): void {
    if (resources.length === 0 && operation !== 'thngsCleared') return;
    const channel = channelOf({ kind: 'collectionThngs', id: collection.id, thngId: null });
    this.hub.notify(collection.account_id, collection.project_id, channel, {
      operation,
      timestamp,
      resources,
    });
  }

  private range(query: HistoryQuery) {
    return { from: query.from, to: query.to, limit: Math.min(query.perPage ?? 30, this.limits.maxPerPage) };
  }
}
