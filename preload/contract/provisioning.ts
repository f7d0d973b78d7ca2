import { z } from 'zod';
import { event, method } from './define';

// Operator-API methods and events of the provisioning capability: provision requests (one per device
// to be provisioned into a target account), their attachments and the provision job's timeline.

export const provisionStatuses = [
  'CREATED',
  'STARTED',
  'RUNNING',
  'CONF_UPDATING',
  'CONF_UPDATED',
  'APPS_INSTALLING',
  'APPS_INSTALLED',
  'COMPLETED',
  'FAILED',
  'ABANDONED',
  'STOPPED',
] as const;
export const provisionStatusSchema = z.enum(provisionStatuses);
export type ProvisionStatus = z.infer<typeof provisionStatusSchema>;

/** Attachment limits: at most one configuration and nine applications, each at most 2 MiB. */
export const PROVISION_MAX_APPLICATIONS = 9;
export const PROVISION_MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024;

const id = z.string().min(1).max(128);
const timestamp = z.number().int();
const ok = z.object({ ok: z.literal(true) });

export const provisionAttachmentSchema = z.object({
  id: z.string(),
  kind: z.enum(['configuration', 'application']),
  name: z.string(),
  sha256: z.string(),
  size: z.number().int(),
});
export type ProvisionAttachment = z.infer<typeof provisionAttachmentSchema>;

export const provisionStepSchema = z.object({
  at: timestamp,
  status: provisionStatusSchema,
  reason: z.string(),
});
export type ProvisionStep = z.infer<typeof provisionStepSchema>;

export const provisionRequestSchema = z.object({
  id: z.string(),
  targetAccountId: z.string(),
  targetAccountName: z.string(),
  clientId: z.string(),
  username: z.string(),
  hasActivationKey: z.boolean(),
  enabled: z.boolean(),
  activatesAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  retryMaxAttempts: z.number().int(),
  secureUrl: z.boolean(),
  coupling: z.enum(['loose', 'strict']),
  status: provisionStatusSchema,
  retries: z.number().int(),
  /** What the device reported in its provision message (MAC, serial, model, firmware). */
  deviceIdentity: z.record(z.string(), z.string()).nullable(),
  issuedUsername: z.string().nullable(),
  issuedCertificateSerial: z.string().nullable(),
  lastStepAt: timestamp.nullable(),
  lastReason: z.string().nullable(),
  attachments: z.array(provisionAttachmentSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ProvisionRequest = z.infer<typeof provisionRequestSchema>;

const attachmentInput = z.object({
  kind: z.enum(['configuration', 'application']),
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\0]+$/, 'a file name without slashes'),
  /** The file, base64. */
  contentBase64: z.string().max(Math.ceil((PROVISION_MAX_ATTACHMENT_BYTES * 4) / 3) + 4),
});

export const provisionCreateSchema = z.object({
  targetAccountId: id,
  clientId: z.string().min(1).max(128),
  username: z.string().min(1).max(128),
  password: z.string().min(8).max(256),
  /** Generate a random 32-character activation key (returned once). Default true. */
  generateActivationKey: z.boolean().default(true),
  activatesAt: timestamp.nullable().default(null),
  expiresAt: timestamp.nullable().default(null),
  retryMaxAttempts: z.number().int().min(1).max(1000).default(3),
  /** Send the device an mqtts URL (true) or a plain mqtt one. */
  secureUrl: z.boolean().default(true),
  coupling: z.enum(['loose', 'strict']).default('loose'),
  /** Replace an existing request for the same client id in the target account. */
  overwrite: z.boolean().default(false),
  attachments: z
    .array(attachmentInput)
    .max(PROVISION_MAX_APPLICATIONS + 1)
    .default([]),
});
export type ProvisionCreateInput = z.input<typeof provisionCreateSchema>;

/** Provision-bundle settings in the seed's (ESF) names. */
export const provisionBundleSchema = z.object({
  enabled: z.boolean(),
  provisioned: z.boolean(),
  'ca-authentication': z.boolean(),
  'broker-url': z.string(),
  'account-name': z.string(),
  username: z.string(),
  password: z.string(),
  'activation-key': z.string(),
  'client-id': z.string(),
  timeout: z.number(),
  'retry-interval': z.number(),
  'retry-max-attempts': z.number(),
});

export const provisioningMethods = {
  'provisioning.info': method(
    z.object({}).strict(),
    z.object({
      provisionAccountId: z.string(),
      provisionAccountName: z.string(),
      /** Provision broker URLs (the provision account's endpoints, else the running listeners). */
      brokerUrls: z.array(z.object({ url: z.string(), secure: z.boolean() })),
    }),
    'The provision account and the broker URLs devices use to reach it.',
  ),
  'provisioning.list': method(
    z.object({}).strict(),
    z.object({ requests: z.array(provisionRequestSchema) }),
    'Every provision request, newest first.',
  ),
  'provisioning.get': method(
    z.object({ id }),
    z.object({ request: provisionRequestSchema, timeline: z.array(provisionStepSchema) }),
    'One provision request and its job timeline.',
  ),
  'provisioning.create': method(
    provisionCreateSchema,
    z.object({ request: provisionRequestSchema, activationKey: z.string().nullable() }),
    'Creates a provision request; the activation key is returned only here.',
  ),
  'provisioning.setEnabled': method(
    z.object({ id, enabled: z.boolean() }),
    provisionRequestSchema,
    'Disables (job STOPPED) or re-enables a provision request.',
  ),
  'provisioning.retry': method(
    z.object({ id }),
    provisionRequestSchema,
    'Makes a failed, abandoned or stopped request retryable again (job CREATED, retry counter 0).',
  ),
  'provisioning.delete': method(z.object({ id }), ok, 'Deletes a provision request and its attachments.'),
  'provisioning.exportBundle': method(
    z.object({
      id,
      /** Secrets the page still holds from creation; placeholders are used otherwise. */
      password: z.string().max(256).optional(),
      activationKey: z.string().max(64).optional(),
      provisionBrokerUrl: z.string().max(500).optional(),
    }),
    z.object({ settings: provisionBundleSchema, json: z.string(), properties: z.string() }),
    "A device's provision-bundle settings as JSON and as an ESF-style properties snippet.",
  ),
};

export const provisioningEvents = {
  'provisioning.changed': event(
    z.object({
      requestId: z.string(),
      status: provisionStatusSchema.nullable(),
      step: provisionStepSchema.nullable(),
    }),
    'stream',
    'A provision request changed or its job took a step (null status: deleted).',
  ),
};
