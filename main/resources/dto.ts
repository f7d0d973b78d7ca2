import type { ActionRow, EntityRow, LocationRow, PropertyRow } from './store';

export interface PropertyValue {
  key: string;
  value: unknown;
  timestamp: number;
}

export interface LocationValue {
  position: { type: 'Point'; coordinates: [number, number] };
  timestamp: number;
}

function parse<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const propertyDto = (row: PropertyRow): PropertyValue => ({
  key: row.key,
  value: parse(row.value, null),
  timestamp: row.timestamp,
});

export const locationDto = (row: LocationRow): LocationValue => ({
  position: { type: 'Point', coordinates: [row.longitude, row.latitude] },
  timestamp: row.timestamp,
});

export function actionDto(row: ActionRow): Record<string, unknown> {
  const body = parse<Record<string, unknown>>(row.body, {});
  const out: Record<string, unknown> = { id: row.id, type: row.type, ...body };
  if (row.thng_id) out['thng'] = row.thng_id;
  if (row.product_id) out['product'] = row.product_id;
  if (row.collection_id) out['collection'] = row.collection_id;
  if (row.project_id) out['project'] = row.project_id;
  out['timestamp'] = row.timestamp;
  out['createdAt'] = row.created_at;
  return out;
}

/** The common shape of Thngs, products, collections, batches, tasks and action types. */
export function entityDto(row: EntityRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body = parse<Record<string, unknown>>(row.body, {});
  const out: Record<string, unknown> = { id: row.id, name: row.name, ...body, ...extra };
  if (row.project_id) out['project'] = row.project_id;
  if (row.kind === 'task' && row.parent_id) out['batch'] = row.parent_id;
  out['createdAt'] = row.created_at;
  out['updatedAt'] = row.updated_at;
  return out;
}
