import { z } from 'zod';

const name = z.string().min(1).max(256);
const id = z.string().min(1).max(256);
const timestamp = z.number().int().nonnegative().max(8.64e15);
const customFields = z.record(z.string().max(128), z.unknown());
const tags = z.array(z.string().min(1).max(128)).max(100);

export const propertyUpdateSchema = z.object({
  key: z.string().min(1).max(128).optional(),
  value: z.unknown(),
  timestamp: timestamp.optional(),
});
/** `[{ key, value, timestamp }]`; on a `/properties/:key` path the key comes from the path. */
export const propertyUpdatesSchema = z.array(propertyUpdateSchema).min(1).max(100);
export type PropertyUpdate = z.infer<typeof propertyUpdateSchema>;

export const pointSchema = z.object({
  type: z.literal('Point'),
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
});
export const locationUpdateSchema = z.object({
  position: pointSchema,
  timestamp: timestamp.optional(),
});
export const locationUpdatesSchema = z.array(locationUpdateSchema).min(1).max(100);
export type LocationUpdate = z.infer<typeof locationUpdateSchema>;

export const actionInputSchema = z.object({
  type: name.optional(),
  thng: id.optional(),
  product: id.optional(),
  collection: id.optional(),
  timestamp: timestamp.optional(),
  customFields: customFields.optional(),
  tags: tags.optional(),
  location: locationUpdateSchema.shape.position.optional(),
});
export type ActionInput = z.infer<typeof actionInputSchema>;

/** Fields a Thng, product, collection, batch or action type may carry; `properties` only on create. */
export const entityInputSchema = z.object({
  name: name.optional(),
  description: z.string().max(4096).optional(),
  product: id.nullable().optional(),
  tags: tags.optional(),
  customFields: customFields.optional(),
  project: id.nullable().optional(),
  status: z.string().max(64).optional(),
});
export type EntityInput = z.infer<typeof entityInputSchema>;

export const taskInputSchema = z.object({
  status: z.enum(['pending', 'executing', 'completed', 'failed']),
  name: name.optional(),
});

export const collectionThngsSchema = z.array(id).min(1).max(1000);

export const historyQuerySchema = z.object({
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  perPage: z.coerce.number().int().min(1).optional(),
});
export type HistoryQuery = z.infer<typeof historyQuerySchema>;
