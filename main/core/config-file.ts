import fs from 'node:fs';
import { z } from 'zod';
import { keyAlgorithms } from '../pki/algorithms';

const accessRuleSchema = z
  .object({
    filter: z.string().min(1),
    access: z.enum(['publish', 'subscribe', 'both']).default('both'),
  })
  .strict();

const positiveInt = z.number().int().positive();

const tenancySchema = z
  .object({
    /** Name of the root account, used when it is created on first start. */
    rootAccountName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1 to 64 characters among letters, digits, "_" and "-"')
      .optional(),
    lockout: z
      .object({
        maxFailures: positiveInt.optional(),
        windowSeconds: positiveInt.optional(),
        lockSeconds: positiveInt.optional(),
        maxFailuresPerAddress: positiveInt.optional(),
        maxQueuedLogins: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const historySchema = z
  .object({
    maxMessagesPerTopic: positiveInt.optional(),
    maxTotalBytes: positiveInt.optional(),
    maxPayloadBytes: positiveInt.optional(),
  })
  .strict();

/** The `--config FILE` format (docs/configuration.md). Unknown keys are errors, named. */
export const fileConfigSchema = z
  .object({
    allowAnonymous: z.boolean().optional(),
    broker: z
      .object({
        // 0 = no cap, the broker's default
        maxKeepAlive: z.number().int().min(0).max(65535).optional(),
        receiveMaximum: positiveInt.max(65535).optional(),
        maxPacketSize: positiveInt.max(268435455).optional(),
        maxQueuedMessages: positiveInt.optional(),
        maxOutgoingBufferBytes: positiveInt.optional(),
        maxInflight: positiveInt.max(65535).optional(),
        maxTopicLength: positiveInt.max(65535).optional(),
        maxTopicLevels: positiveInt.optional(),
        maxSubscriptionsPerClient: positiveInt.optional(),
        connectTimeoutMs: positiveInt.optional(),
        maxConnections: positiveInt.optional(),
        sysIntervalSeconds: positiveInt.optional(),
        // 0 = unlimited
        maxConnectionsPerAddress: z.number().int().min(0).optional(),
        maxUnauthenticatedPerAddress: z.number().int().min(0).optional(),
        maxPendingBytesPerAddress: z.number().int().min(0).optional(),
        maxRetainedPerAccount: positiveInt.optional(),
        maxPersistentSessionsPerAccount: positiveInt.optional(),
      })
      .strict()
      .optional(),
    accessRules: z
      .object({ allow: z.array(accessRuleSchema).optional(), deny: z.array(accessRuleSchema).optional() })
      .strict()
      .optional(),
    tenancy: tenancySchema.optional(),
    pki: z
      .object({
        authorityAlgorithm: z.enum(keyAlgorithms).optional(),
        /** Most device names one batch may hold (default 10,000). */
        maxBatchRows: positiveInt.max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    explorer: z.object({ history: historySchema.optional() }).strict().optional(),
    resources: z
      .object({
        // 0 = no cap for API-key clients beyond the broker's own
        maxKeepAliveSeconds: z.number().int().min(0).max(65535).optional(),
        maxPayloadBytes: positiveInt.max(16 * 1024 * 1024).optional(),
        historyPerProperty: positiveInt.optional(),
        locationsPerThng: positiveInt.optional(),
        actionsPerAccount: positiveInt.optional(),
      })
      .strict()
      .optional(),
    provisioning: z
      .object({
        /** Name of the provision account, used when it is created on first start (default `provision`). */
        accountName: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1 to 64 characters among letters, digits, "_" and "-"')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates a JSON config file; every problem names the file and the offending key. */
export function loadConfigFile(file: string): FileConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = fileConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(top level)';
      const unknown = issue.code === 'unrecognized_keys' ? ` ${issue.keys.join(', ')}` : '';
      return `"${key}"${unknown}: ${issue.message}`;
    });
    throw new ConfigError(`Config file ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}
