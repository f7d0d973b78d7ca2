import { z } from 'zod';
import { event, method } from './define';

// Operator-API methods and events of the tenancy capability (accounts, messaging services,
// endpoints, credentials, access rules, API keys, device connection records, audit log).
// Quotas follow one convention: null = unlimited, 0 = none allowed.

export const connectionOptions = ['mqtt', 'mqtts', 'mqtts-mutual', 'ws', 'wss'] as const;
export const connectionOptionSchema = z.enum(connectionOptions);
export type ConnectionOption = z.infer<typeof connectionOptionSchema>;

export const endpointSchemes = ['mqtt', 'mqtts', 'ws', 'wss'] as const;
export const endpointSchemeSchema = z.enum(endpointSchemes);
export type EndpointScheme = z.infer<typeof endpointSchemeSchema>;

export const userCouplingSchema = z.enum(['loose', 'strict']);
export type UserCoupling = z.infer<typeof userCouplingSchema>;

export const ruleActionSchema = z.enum(['publish', 'subscribe', 'both']);
export type RuleAction = z.infer<typeof ruleActionSchema>;

export const apiKeyTypeSchema = z.enum(['operator', 'application', 'device']);
export const apiKeyScopeSchema = z.enum(['mqtt', 'api.read', 'api.write']);
export type ApiKeyType = z.infer<typeof apiKeyTypeSchema>;
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

const id = z.string().min(1);
const timestamp = z.number().int();
const quota = z.number().int().min(0).nullable();
const empty = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

export const accountSchema = z.object({
  id,
  name: z.string(),
  parentId: z.string().nullable(),
  depth: z.number().int(),
  /** Names from the root down to this account. */
  path: z.array(z.string()),
  organization: z.string(),
  email: z.string().nullable(),
  expiresAt: timestamp.nullable(),
  enabled: z.boolean(),
  /** False when this account or an ancestor is disabled or expired. */
  usable: z.boolean(),
  maxChildAccounts: quota,
  maxDevices: quota,
  /** Own assignment (root and level-one accounts only). */
  serviceId: z.string().nullable(),
  effectiveServiceId: z.string().nullable(),
  serviceInheritedFrom: z.string().nullable(),
  /** Null = every option the messaging service supports. */
  connectionOptions: z.array(connectionOptionSchema).nullable(),
  effectiveConnectionOptions: z.array(connectionOptionSchema),
  userCoupling: userCouplingSchema,
  childCount: z.number().int(),
  deviceCount: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Account = z.infer<typeof accountSchema>;

export const serviceEndpointSchema = z.object({
  scheme: endpointSchemeSchema,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
});

export const messagingServiceSchema = z.object({
  id,
  name: z.string(),
  kind: z.enum(['embedded', 'external']),
  endpoints: z.array(serviceEndpointSchema),
  options: z.array(connectionOptionSchema),
  assignedAccountIds: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type MessagingService = z.infer<typeof messagingServiceSchema>;

export const endpointSchema = z.object({
  id,
  accountId: z.string(),
  scheme: endpointSchemeSchema,
  domain: z.string(),
  port: z.number().int(),
  secure: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Endpoint = z.infer<typeof endpointSchema>;

const endpointFields = {
  scheme: z.string(),
  domain: z.string(),
  port: z.number(),
  secure: z.boolean(),
};

export const reachabilitySchema = z.object({
  endpointId: z.string(),
  listener: z.object({
    ok: z.boolean(),
    detail: z.string(),
    matched: z.object({ kind: connectionOptionSchema, host: z.string(), port: z.number() }).optional(),
  }),
  dns: z.object({ ok: z.boolean(), addresses: z.array(z.string()), detail: z.string() }),
  connect: z.object({
    ok: z.boolean(),
    detail: z.string(),
    reasonCode: z.number().int().optional(),
    elapsedMs: z.number(),
  }),
  reachable: z.boolean(),
});
export type Reachability = z.infer<typeof reachabilitySchema>;

export const credentialSchema = z.object({
  id,
  accountId: z.string(),
  username: z.string(),
  enabled: z.boolean(),
  expiresAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  /** Client addresses currently locked out after repeated failures. */
  lockedAddresses: z.array(z.string()),
});
export type Credential = z.infer<typeof credentialSchema>;

export const accessRuleSchema = z.object({
  /** MQTT topic filter; may use %c (client id), %u (username), %a (account name). */
  filter: z.string().min(1).max(1024),
  action: ruleActionSchema,
});
export type AccessRule = z.infer<typeof accessRuleSchema>;

export const apiKeySchema = z.object({
  id,
  accountId: z.string(),
  name: z.string(),
  type: apiKeyTypeSchema,
  scopes: z.array(apiKeyScopeSchema),
  permissions: z.array(accessRuleSchema),
  /** Recognisable, non-secret start of the key. */
  hint: z.string(),
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const deviceStatusSchema = z.enum(['connected', 'disconnected', 'missing']);
export const deviceConnectionSchema = z.object({
  id,
  accountId: z.string(),
  accountName: z.string(),
  clientId: z.string(),
  status: deviceStatusSchema,
  protocol: z.string().nullable(),
  listenerId: z.string().nullable(),
  listenerKind: z.string().nullable(),
  clientAddress: z.string().nullable(),
  username: z.string().nullable(),
  lastConnectAt: timestamp.nullable(),
  lastDisconnectAt: timestamp.nullable(),
  lastDisconnectReason: z.string().nullable(),
  /** Null = the account's coupling mode. */
  coupling: userCouplingSchema.nullable(),
  effectiveCoupling: userCouplingSchema,
  allowUserChange: z.boolean(),
  reservedCredentialId: z.string().nullable(),
  boundCredentialId: z.string().nullable(),
  provisionedEndpointId: z.string().nullable(),
});
export type DeviceConnection = z.infer<typeof deviceConnectionSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: timestamp,
  actor: z.string(),
  transport: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const auditFilter = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  actor: z.string().optional(),
  action: z.string().optional(),
  target: z.string().optional(),
};

export const tenancyMethods = {
  'accounts.list': method(
    z.object({ parentId: z.string().optional() }).strict(),
    z.object({ accounts: z.array(accountSchema) }),
    'All accounts, or the direct children of parentId.',
  ),
  'accounts.get': method(
    z.object({ id }).strict(),
    accountSchema,
    'One account with its effective settings.',
  ),
  'accounts.create': method(
    z
      .object({
        parentId: id,
        name: z.string(),
        organization: z.string().max(200).default(''),
        email: z.string().nullable().default(null),
        expiresAt: timestamp.nullable().default(null),
        maxChildAccounts: quota.default(null),
        maxDevices: quota.default(null),
        userCoupling: userCouplingSchema.default('loose'),
        /** Only for level-one accounts; deeper accounts inherit their level-one ancestor's. */
        serviceId: z.string().nullable().default(null),
      })
      .strict(),
    accountSchema,
    'Creates a child account under parentId.',
  ),
  'accounts.update': method(
    z
      .object({
        id,
        organization: z.string().max(200).optional(),
        email: z.string().nullable().optional(),
        expiresAt: timestamp.nullable().optional(),
        maxChildAccounts: quota.optional(),
        maxDevices: quota.optional(),
        userCoupling: userCouplingSchema.optional(),
      })
      .strict(),
    accountSchema,
    'Changes descriptive fields, expiration, quotas or user coupling.',
  ),
  'accounts.rename': method(
    z.object({ id, name: z.string() }).strict(),
    accountSchema,
    'Renames an account; its connected devices are disconnected because their topic namespace changes.',
  ),
  'accounts.setEnabled': method(
    z.object({ id, enabled: z.boolean() }).strict(),
    accountSchema,
    'Disables (disconnecting its and its descendants’ devices) or re-enables an account.',
  ),
  'accounts.expire': method(
    z.object({ id }).strict(),
    accountSchema,
    'Expires an account now; its and its descendants’ devices are disconnected.',
  ),
  'accounts.delete': method(z.object({ id }).strict(), ok, 'Deletes an account without children or devices.'),
  'accounts.assignService': method(
    z.object({ accountId: id, serviceId: z.string().nullable() }).strict(),
    accountSchema,
    'Assigns (or with null unassigns) the messaging service of a root or level-one account.',
  ),
  'accounts.setConnectionOptions': method(
    z.object({ accountId: id, options: z.array(connectionOptionSchema).nullable() }).strict(),
    accountSchema,
    'Restricts which connection options the account’s devices may use (null = all the service supports).',
  ),

  'services.list': method(
    empty,
    z.object({ services: z.array(messagingServiceSchema) }),
    'Messaging service instances.',
  ),
  'services.createExternal': method(
    z
      .object({
        name: z.string(),
        endpoints: z.array(serviceEndpointSchema).min(1),
        /** Defaults to the options the endpoints' schemes imply. */
        options: z.array(connectionOptionSchema).optional(),
      })
      .strict(),
    messagingServiceSchema,
    'Declares an external broker cluster by its endpoints.',
  ),
  'services.delete': method(z.object({ id }).strict(), ok, 'Deletes an external service no account uses.'),

  'endpoints.list': method(
    z.object({ accountId: id }).strict(),
    z.object({ endpoints: z.array(endpointSchema), inheritedFrom: z.string().nullable() }),
    'The endpoints an account’s devices use: its own, or its nearest ancestor’s.',
  ),
  'endpoints.create': method(
    /** `secure` defaults to what the scheme implies (true for mqtts and wss). */
    z.object({ accountId: id, ...endpointFields, secure: z.boolean().optional() }).strict(),
    endpointSchema,
    'Adds an endpoint to an account.',
  ),
  'endpoints.update': method(
    z
      .object({
        id,
        scheme: z.string().optional(),
        domain: z.string().optional(),
        port: z.number().optional(),
        secure: z.boolean().optional(),
        confirm: z.boolean().default(false),
      })
      .strict(),
    endpointSchema,
    'Edits an endpoint; needs confirm when a running listener or provisioned devices depend on it.',
  ),
  'endpoints.delete': method(
    z.object({ id, confirm: z.boolean().default(false) }).strict(),
    ok,
    'Deletes an endpoint; needs confirm when a running listener or provisioned devices depend on it.',
  ),
  'endpoints.checkReachability': method(
    z.object({ id, timeoutMs: z.number().int().min(100).max(30000).default(5000) }).strict(),
    reachabilitySchema,
    'Listener, name resolution and live MQTT connection checks for an endpoint.',
  ),

  'credentials.list': method(
    z.object({ accountId: id }).strict(),
    z.object({ credentials: z.array(credentialSchema) }),
    'Username/password credentials of an account.',
  ),
  'credentials.create': method(
    z
      .object({
        accountId: id,
        username: z.string(),
        password: z.string(),
        expiresAt: timestamp.nullable().default(null),
        enabled: z.boolean().default(true),
      })
      .strict(),
    credentialSchema,
    'Creates a credential; usernames are unique across all accounts.',
  ),
  'credentials.update': method(
    z.object({ id, enabled: z.boolean().optional(), expiresAt: timestamp.nullable().optional() }).strict(),
    credentialSchema,
    'Enables/disables a credential or changes its expiry.',
  ),
  'credentials.setPassword': method(
    z.object({ id, password: z.string() }).strict(),
    credentialSchema,
    'Replaces a credential’s password.',
  ),
  'credentials.unlock': method(
    z.object({ id, address: z.string().optional() }).strict(),
    credentialSchema,
    'Clears the failed-login lockout of a credential (for one address, or all).',
  ),
  'credentials.delete': method(
    z.object({ id }).strict(),
    ok,
    'Deletes a credential and disconnects its clients.',
  ),

  'accessRules.get': method(
    z.object({ accountId: id, credentialId: z.string().nullable() }).strict(),
    z.object({ rules: z.array(accessRuleSchema), usesTemplate: z.boolean() }),
    'The account template (credentialId null) or a credential’s own rules.',
  ),
  'accessRules.set': method(
    z
      .object({
        accountId: id,
        credentialId: z.string().nullable(),
        rules: z.array(accessRuleSchema).max(500),
      })
      .strict(),
    z.object({ rules: z.array(accessRuleSchema), usesTemplate: z.boolean() }),
    'Replaces the template or a credential’s rules; an empty list makes a credential use the template.',
  ),
  'accessRules.check': method(
    z
      .object({
        credentialId: id,
        clientId: z.string(),
        action: z.enum(['publish', 'subscribe']),
        topic: z.string().min(1),
      })
      .strict(),
    z.object({ allowed: z.boolean(), matchedRule: accessRuleSchema.nullable() }),
    'Whether a credential may publish to a topic or subscribe to a filter.',
  ),

  'apiKeys.list': method(
    z.object({ accountId: id }).strict(),
    z.object({ apiKeys: z.array(apiKeySchema) }),
    'API keys of an account (never the keys themselves).',
  ),
  'apiKeys.create': method(
    z
      .object({
        accountId: id,
        name: z.string().min(1).max(100),
        type: apiKeyTypeSchema,
        scopes: z.array(apiKeyScopeSchema).optional(),
        permissions: z.array(accessRuleSchema).max(500).default([]),
        expiresAt: timestamp.nullable().default(null),
      })
      .strict(),
    z.object({ apiKey: apiKeySchema, key: z.string() }),
    'Creates an API key; the key is returned only here.',
  ),
  'apiKeys.update': method(
    z
      .object({
        id,
        name: z.string().min(1).max(100).optional(),
        scopes: z.array(apiKeyScopeSchema).optional(),
        permissions: z.array(accessRuleSchema).max(500).optional(),
        expiresAt: timestamp.nullable().optional(),
      })
      .strict(),
    apiKeySchema,
    'Changes an API key; applies to the very next operation of clients using it.',
  ),
  'apiKeys.revoke': method(
    z.object({ id }).strict(),
    apiKeySchema,
    'Revokes an API key and disconnects its clients.',
  ),

  'connections.list': method(
    z
      .object({
        accountId: id,
        includeDescendants: z.boolean().default(false),
        status: deviceStatusSchema.optional(),
      })
      .strict(),
    z.object({ connections: z.array(deviceConnectionSchema) }),
    'Device connection records of an account.',
  ),
  'connections.update': method(
    z
      .object({
        accountId: id,
        clientId: z.string().min(1),
        coupling: userCouplingSchema.nullable().optional(),
        allowUserChange: z.boolean().optional(),
        reservedCredentialId: z.string().nullable().optional(),
      })
      .strict(),
    deviceConnectionSchema,
    'Sets a device’s user coupling override, creating its record if needed.',
  ),
  'connections.delete': method(
    z.object({ id }).strict(),
    ok,
    'Forgets a device record that is not connected.',
  ),

  'audit.query': method(
    z
      .object({
        ...auditFilter,
        limit: z.number().int().min(1).max(5000).default(200),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    z.object({ entries: z.array(auditEntrySchema), total: z.number().int() }),
    'Operator changes, newest first.',
  ),
  'audit.export': method(
    z.object({ ...auditFilter, format: z.enum(['csv', 'json']) }).strict(),
    z.object({
      format: z.enum(['csv', 'json']),
      mimeType: z.string(),
      filename: z.string(),
      content: z.string(),
    }),
    'Operator changes as a CSV or JSON document, oldest first.',
  ),
};

export const tenancyEvents = {
  'connections.changed': event(
    z.object({
      revision: z.number().int(),
      at: timestamp,
      accountId: z.string(),
      clientId: z.string(),
      status: deviceStatusSchema,
    }),
    'latest',
    'A device connection record changed (the latest change; refetch the list).',
  ),
};
