import crypto from 'node:crypto';
import type { ResourceAccess } from './access';
import { entityDto, locationDto, propertyDto } from './dto';
import { badRequest, forbidden, notFound, ResourceError } from './errors';
import type { ResourceLimits } from './limits';
import { collectionThngsSchema, type EntityInput, entityInputSchema, taskInputSchema } from './payloads';
import type { EntityRow, EntityRowKind, ResourceStore } from './store';
import { boundedJson, parseOr400 } from './validate';

export const newId = () => crypto.randomBytes(12).toString('hex');

const BODY_FIELDS = ['description', 'product', 'tags', 'customFields', 'status'] as const;

/** Thngs, products, collections, batches, tasks and action types: create, read, update, delete. */
export class Entities {
  constructor(
    private readonly store: ResourceStore,
    private readonly limits: ResourceLimits,
    private readonly now: () => number,
  ) {}

  /** The entity, if it exists in the key's account (and project); otherwise 404, never a hint. */
  require(access: ResourceAccess, kind: EntityRowKind, id: string): EntityRow {
    const row = this.store.entity(id);
    if (
      !row ||
      row.kind !== kind ||
      row.account_id !== access.accountId ||
      (access.projectId !== null && row.project_id !== access.projectId)
    ) {
      throw notFound(`No ${kind} with id ${id}`);
    }
    return row;
  }

  create(
    access: ResourceAccess,
    kind: EntityRowKind,
    raw: unknown,
    parentId: string | null = null,
  ): EntityRow {
    const input = parseOr400(entityInputSchema, raw ?? {}, kind);
    if (!input.name && kind !== 'task') throw badRequest(`A ${kind} needs a name`);
    if (this.store.countEntities(access.accountId) >= this.limits.entitiesPerAccount) {
      throw new ResourceError(413, `This account already has ${this.limits.entitiesPerAccount} resources`);
    }
    const project = this.projectFor(access, input.project ?? null);
    if (input.product) this.require(access, 'product', input.product);
    const at = this.now();
    const row: EntityRow = {
      id: newId(),
      account_id: access.accountId,
      project_id: project,
      kind,
      parent_id: parentId,
      name: input.name ?? '',
      body: this.body({}, input),
      created_at: at,
      updated_at: at,
    };
    this.store.insertEntity(row);
    return row;
  }

  update(access: ResourceAccess, row: EntityRow, raw: unknown): EntityRow {
    const input = parseOr400(entityInputSchema, raw ?? {}, row.kind);
    if (input.product) this.require(access, 'product', input.product);
    const project = input.project === undefined ? row.project_id : this.projectFor(access, input.project);
    const updated = {
      ...row,
      name: input.name ?? row.name,
      body: this.body(JSON.parse(row.body) as Record<string, unknown>, input),
      project_id: project,
      updated_at: this.now(),
    };
    this.store.updateEntity(updated);
    return updated;
  }

  createTask(access: ResourceAccess, batch: EntityRow, raw: unknown): EntityRow {
    const input = parseOr400(taskInputSchema, raw ?? {}, 'task');
    return this.create(access, 'task', { ...input, project: batch.project_id ?? undefined }, batch.id);
  }

  updateTask(access: ResourceAccess, batch: EntityRow, taskId: string, raw: unknown): EntityRow {
    const task = this.require(access, 'task', taskId);
    if (task.parent_id !== batch.id) throw notFound(`No task ${taskId} in batch ${batch.id}`);
    return this.update(access, task, parseOr400(taskInputSchema, raw ?? {}, 'task'));
  }

  collectionThngs(access: ResourceAccess, raw: unknown): string[] {
    const ids = parseOr400(collectionThngsSchema, raw, 'list of Thng ids');
    for (const id of ids) this.require(access, 'thng', id);
    return ids;
  }

  /** A Thng with its latest properties and location, as REST and `pubStates` show it. */
  thngDto(row: EntityRow): Record<string, unknown> {
    const properties: Record<string, unknown> = {};
    for (const p of this.store.properties(row.id)) properties[p.key] = propertyDto(p).value;
    const location = this.store.locations(row.id, { limit: 1 })[0];
    return entityDto(row, {
      properties,
      ...(location ? { location: locationDto(location) } : {}),
      collections: this.store.collectionsOf(row.id),
    });
  }

  dto(row: EntityRow): Record<string, unknown> {
    return row.kind === 'thng' ? this.thngDto(row) : entityDto(row);
  }

  private projectFor(access: ResourceAccess, requested: string | null): string | null {
    if (access.projectId === null) return requested;
    if (requested !== null && requested !== access.projectId) {
      throw forbidden(`This key is limited to project ${access.projectId}`);
    }
    return access.projectId;
  }

  private body(current: Record<string, unknown>, input: EntityInput): string {
    const next = { ...current };
    for (const field of BODY_FIELDS) {
      const value = input[field];
      if (value === null) delete next[field];
      else if (value !== undefined) next[field] = value;
    }
    return boundedJson(next, this.limits.maxPayloadBytes, 'The resource');
  }
}
