import { z } from 'zod';
import { method } from './define';

const id = z.string().min(1).max(256);
/** A Thng, product or collection as the resource API returns it (free-form JSON fields). */
const resourceSchema = z.record(z.string(), z.unknown());

export const restListenerSchema = z.object({
  id: z.string(),
  kind: z.enum(['rest', 'rests']),
  host: z.string(),
  port: z.number().int(),
  enabled: z.boolean(),
  state: z.enum(['stopped', 'running', 'error']),
  boundPort: z.number().int().nullable(),
  error: z.string().optional(),
});
export type RestListenerDto = z.infer<typeof restListenerSchema>;

export const resourceKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['operator', 'application', 'device']),
  hint: z.string(),
  revoked: z.boolean(),
  thngId: z.string().nullable(),
  projectId: z.string().nullable(),
  /** In words: what the key may reach. */
  scope: z.string(),
});
export type ResourceKeyDto = z.infer<typeof resourceKeySchema>;

export const resourceSubscriberSchema = z.object({
  protocol: z.enum(['mqtt', 'ws']),
  channel: z.string(),
  topic: z.string(),
  who: z.string(),
  count: z.number().int(),
});
export type ResourceSubscriberDto = z.infer<typeof resourceSubscriberSchema>;

export const resourceOverviewSchema = z.object({
  thngs: z.array(resourceSchema),
  products: z.array(resourceSchema),
  collections: z.array(resourceSchema),
  actions: z.array(resourceSchema),
  keys: z.array(resourceKeySchema),
  subscribers: z.array(resourceSubscriberSchema),
});
export type ResourceOverview = z.infer<typeof resourceOverviewSchema>;

const pointSchema = z.object({ value: z.unknown(), timestamp: z.number() });
const locationSchema = z.object({
  position: z.object({ type: z.literal('Point'), coordinates: z.tuple([z.number(), z.number()]) }),
  timestamp: z.number(),
});

export const resourceMethods = {
  'resources.overview': method(
    z.object({ accountId: id }).strict(),
    resourceOverviewSchema,
    "One account's Thngs, products, collections, latest actions, API keys with their scope and live subscribers.",
  ),
  'resources.history': method(
    z
      .object({
        accountId: id,
        ownerId: id,
        key: z.string().min(1).max(128),
        from: z.number().int().optional(),
        to: z.number().int().optional(),
        perPage: z.number().int().min(1).max(100).default(100),
      })
      .strict(),
    z.object({ points: z.array(pointSchema) }),
    "A Thng's or product's property history, newest first.",
  ),
  'resources.locations': method(
    z.object({ accountId: id, thngId: id, perPage: z.number().int().min(1).max(100).default(50) }).strict(),
    z.object({ locations: z.array(locationSchema) }),
    "A Thng's location history, newest first.",
  ),
  'resources.createThng': method(
    z.object({ accountId: id, name: z.string().min(1).max(256), product: id.optional() }).strict(),
    resourceSchema,
    'Creates a Thng in an account.',
  ),
  'resources.bindKey': method(
    z.object({ apiKeyId: id, thngId: id.nullable(), projectId: id.nullable() }).strict(),
    resourceKeySchema,
    'Binds a device key to its own Thng and/or limits any key to one project.',
  ),
  'resources.restListeners.list': method(
    z.object({}).strict(),
    z.object({ listeners: z.array(restListenerSchema) }),
    'The REST API listeners.',
  ),
  'resources.restListeners.set': method(
    z
      .object({
        id: z.string().min(1).max(64).optional(),
        kind: z.enum(['rest', 'rests']),
        host: z.string().min(1).max(255).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535),
        enabled: z.boolean().default(true),
      })
      .strict(),
    restListenerSchema,
    'Adds or changes a REST API listener and (re)starts it when enabled.',
  ),
  'resources.restListeners.remove': method(
    z.object({ id: z.string().min(1) }).strict(),
    z.object({ removed: z.boolean() }),
    'Stops and removes a REST API listener.',
  ),
};
