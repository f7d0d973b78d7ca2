import { z } from 'zod';
import { event, method } from './define';

export const onboardingModes = ['strict', 'eu1', 'eu2'] as const;
export const onboardingModeSchema = z.enum(onboardingModes);
export type OnboardingMode = z.infer<typeof onboardingModeSchema>;

export const agentStates = ['registering', 'assigned', 'awaiting-reconnect', 'onboarded'] as const;
export const agentStateSchema = z.enum(agentStates);
export type AgentState = z.infer<typeof agentStateSchema>;

/** An application name with its version, as it appears in eu1 topics (e.g. `amo_v3`). */
const applicationName = z
  .string()
  .regex(/^[A-Za-z0-9-]+_[A-Za-z0-9.-]+$/, 'an application and version such as amo_v3');

export const onboardingSettingsSchema = z.object({
  accountId: z.string(),
  accountName: z.string(),
  mode: onboardingModeSchema,
  reconnectDelaySeconds: z.number().int(),
  /** Set once the account has an accepted tenant CA; the registration service's id scope. */
  scopeId: z.string().nullable(),
  applications: z.array(z.string()),
});
export type OnboardingSettingsDto = z.infer<typeof onboardingSettingsSchema>;

export const agentSchema = z.object({
  accountId: z.string(),
  clientId: z.string(),
  commonName: z.string(),
  fingerprintSha256: z.string(),
  /** `tenant-ca:<id>` or `fieldbench`. */
  issuer: z.string(),
  state: agentStateSchema,
  connected: z.boolean(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  stateChangedAt: z.number(),
  /** When an agent waiting out the reconnect delay may come back (ms since epoch), else null. */
  acceptAfter: z.number().nullable(),
  /** The property bag of its last eu2 event message, parsed. */
  lastProperties: z.record(z.string(), z.string()).nullable(),
});
export type AgentDto = z.infer<typeof agentSchema>;

export const onboardingEventSchema = z.object({
  at: z.number(),
  kind: z.string(),
  detail: z.string(),
});

const agentRef = z.object({ accountId: z.string().min(1), clientId: z.string().min(1).max(256) });

export const onboardingMethods = {
  'onboarding.settings.get': method(
    z.object({ accountId: z.string().min(1) }),
    onboardingSettingsSchema,
    'Onboarding mode, reconnect delay, scope id and registered applications of an account.',
  ),
  'onboarding.settings.update': method(
    z.object({
      accountId: z.string().min(1),
      mode: onboardingModeSchema.optional(),
      reconnectDelaySeconds: z.number().int().min(0).max(86_400).optional(),
      applications: z.array(applicationName).max(50).optional(),
    }),
    onboardingSettingsSchema,
    'Changes how certificate agents of an account onboard.',
  ),
  'onboarding.agents.list': method(
    z.object({ accountId: z.string().min(1) }),
    z.object({ agents: z.array(agentSchema) }),
    'The agents onboarded on an account, with their onboarding state.',
  ),
  'onboarding.agents.remove': method(
    agentRef,
    z.object({ removed: z.boolean() }),
    'Forgets an agent: its next connection onboards it again.',
  ),
  'onboarding.agents.timeline': method(
    agentRef,
    z.object({ events: z.array(onboardingEventSchema) }),
    'Onboarding events of an agent, oldest first (the last 100).',
  ),
  'onboarding.agents.send': method(
    agentRef.extend({
      /** eu2: appended to `devices/<clientId>/messages/devicebound/`; eu1: `<app>_<version>/<topic>` under `i`. */
      subtopic: z.string().max(512).default(''),
      payload: z.string().max(256 * 1024),
      qos: z.union([z.literal(0), z.literal(1)]).default(1),
    }),
    z.object({ topic: z.string() }),
    "Sends a message to an agent's inbound topic (eu2 devicebound, eu1 `i`).",
  ),
};

export const onboardingEvents = {
  'onboarding.changed': event(
    z.object({ accountId: z.string(), clientId: z.string().nullable(), kind: z.string(), at: z.number() }),
    'stream',
    'An agent onboarded, changed state or was removed, or onboarding settings changed.',
  ),
};
