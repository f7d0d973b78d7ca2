import crypto from 'node:crypto';
import type { AuthenticateResult, ClientRef, ConnectContext } from '../broker/hooks';
import type { ClientVerification } from '../pki';
import { type CertificateFailure, certificateFailureOf, checkClientId } from './client-id';
import {
  type DpsLogin,
  errorBody,
  isValidRegistrationId,
  parseDpsRequest,
  parseDpsUsername,
  registrationState,
  responseTopic,
} from './dps-protocol';
import type { OnboardingStore } from './store';

/** What the registration service keeps about a DPS login (principal attribute `dps`). */
export interface DpsIdentity extends DpsLogin {
  certificateAccountId: string | null;
  commonName: string;
  fingerprint: string;
  issuer: string;
}

export interface RegistrationDeps {
  store: OnboardingStore;
  verify: (ctx: ConnectContext) => Promise<ClientVerification>;
  accountName: (accountId: string) => string | undefined;
  /** Host agents of the account connect to after assignment (its mqtts endpoint). */
  hubHost: (accountId: string) => string;
  now: () => number;
  publish: (client: ClientRef, topic: string, body: unknown) => void;
  /** Timeline entry for an agent (also announces the change). */
  record: (accountId: string, clientId: string, kind: string, detail: string) => void;
  onRefused: (ctx: ConnectContext, reason: CertificateFailure, message: string) => void;
  retryAfterSeconds: number;
}

/** Requests per connection and window before DPS answers 429. */
const REQUESTS_PER_WINDOW = 10;
const WINDOW_MS = 10_000;
/** Operations remembered per connection; older ones answer 404. */
const OPERATIONS_PER_CONNECTION = 4;

interface Operation {
  accountId: string;
  assigned?: unknown;
}

interface ConnectionState {
  windowStart: number;
  requests: number;
  operations: Map<string, Operation>;
}

/** Prefix of a DPS login's private namespace: outside every account, so responses reach only this client. */
export function dpsTopicPrefix(login: DpsLogin): string {
  return `$dps-reg/${login.scopeId}/${login.registrationId}/`;
}

/** Azure DPS-compatible registration over MQTT (x509 through the account's tenant CA). */
export function createRegistrationService(deps: RegistrationDeps) {
  const states = new WeakMap<ClientRef, ConnectionState>();

  async function authenticate(ctx: ConnectContext): Promise<AuthenticateResult> {
    const login = parseDpsUsername(ctx.username)!;
    if (!isValidRegistrationId(login.registrationId) || ctx.clientId !== login.registrationId) {
      return {
        ok: false,
        reasonCode: 0x85,
        reasonString: `Registration: the client id must be the registration id "${login.registrationId}" (alphanumeric and -._:)`,
      };
    }
    const verified = await deps.verify(ctx);
    if (!verified.ok) {
      deps.onRefused(ctx, certificateFailureOf(verified.reason), verified.message);
      return { ok: false, reasonCode: 0x87, reasonString: `Client certificate refused: ${verified.message}` };
    }
    const identity: DpsIdentity = {
      ...login,
      certificateAccountId: verified.accountId ?? null,
      commonName: verified.commonName,
      fingerprint: fingerprintOf(ctx),
      issuer: verified.tenantCaId ? `tenant-ca:${verified.tenantCaId}` : verified.issuedBy,
    };
    return {
      ok: true,
      principal: {
        kind: 'device',
        accountId: null,
        username: ctx.username,
        topicPrefix: dpsTopicPrefix(login),
        attributes: { dps: identity, certificateSerial: verified.serial },
      },
    };
  }

  /** Answers one request; `client` is a DPS login. */
  function handle(client: ClientRef, topic: string, payload: Buffer): void {
    const response = answer(client, topic, payload);
    deps.publish(client, response.topic, response.body);
  }

  function answer(client: ClientRef, topic: string, payload: Buffer): { topic: string; body: unknown } {
    const identity = client.principal.attributes!['dps'] as DpsIdentity;
    const at = deps.now();
    const trackingId = crypto.randomUUID();
    const state = stateOf(client, at);
    const request = parseDpsRequest(topic);
    const fail = (status: 400 | 401 | 404 | 429, message: string, retryAfter?: number) => ({
      topic: responseTopic(status, request.rid, retryAfter),
      body: errorBody(status, message, trackingId, at),
    });

    if (state.requests >= REQUESTS_PER_WINDOW) {
      return fail(
        429,
        'Too many requests',
        Math.max(1, Math.ceil((state.windowStart + WINDOW_MS - at) / 1000)),
      );
    }
    state.requests += 1;
    if (request.kind === 'invalid') return fail(400, `Bad request: ${request.why}`);

    const accountId = deps.store.accountOfScope(identity.scopeId);
    const tenant = accountId ? deps.accountName(accountId) : undefined;
    if (!accountId || !tenant) return fail(401, `Unknown id scope "${identity.scopeId}"`);
    if (identity.certificateAccountId !== accountId) {
      return fail(401, `The certificate was not issued by a CA of the id scope's account "${tenant}"`);
    }
    if (identity.registrationId !== identity.commonName) {
      return fail(
        401,
        `Registration id "${identity.registrationId}" does not match the certificate's common name "${identity.commonName}"`,
      );
    }
    const settings = deps.store.settings(accountId);
    if (settings.mode === 'eu2') {
      const convention = checkClientId('eu2', tenant, identity.registrationId, identity.commonName);
      if (!convention.ok) return fail(401, convention.message);
    }

    if (request.kind === 'register') {
      const requested = registrationIdInBody(payload);
      if (requested !== undefined && requested !== identity.registrationId) {
        return fail(
          400,
          `The body names registration id "${requested}", the login "${identity.registrationId}"`,
        );
      }
      const operationId = `4.${identity.scopeId.toLowerCase()}.${crypto.randomUUID()}`;
      if (state.operations.size >= OPERATIONS_PER_CONNECTION) {
        state.operations.delete(state.operations.keys().next().value!);
      }
      state.operations.set(operationId, { accountId });
      markRegistering(accountId, identity, at);
      return {
        topic: responseTopic(202, request.rid, deps.retryAfterSeconds),
        body: { operationId, status: 'assigning' },
      };
    }
    const operation = state.operations.get(request.operationId);
    if (!operation) return fail(404, `Unknown operation "${request.operationId}"`);
    operation.assigned ??= assign(accountId, tenant, identity, request.operationId, at);
    return { topic: responseTopic(200, request.rid), body: operation.assigned };
  }

  function stateOf(client: ClientRef, at: number): ConnectionState {
    let state = states.get(client);
    if (!state) {
      state = { windowStart: at, requests: 0, operations: new Map() };
      states.set(client, state);
    }
    if (at - state.windowStart >= WINDOW_MS) {
      state.windowStart = at;
      state.requests = 0;
    }
    return state;
  }

  function markRegistering(accountId: string, identity: DpsIdentity, at: number): void {
    const existing = deps.store.agent(accountId, identity.registrationId);
    deps.store.upsertAgent({
      account_id: accountId,
      client_id: identity.registrationId,
      common_name: identity.commonName,
      fingerprint: identity.fingerprint,
      issuer: identity.issuer,
      state: 'registering',
      first_seen: existing?.first_seen ?? at,
      last_seen: at,
      state_changed_at: at,
      dps_created_at: existing?.dps_created_at ?? null,
      dps_count: existing?.dps_count ?? 0,
    });
    deps.record(accountId, identity.registrationId, 'dps-register', 'registration requested: assigning');
  }

  function assign(accountId: string, tenant: string, identity: DpsIdentity, operationId: string, at: number) {
    const agent = deps.store.agent(accountId, identity.registrationId);
    const createdAt = agent?.dps_created_at ?? at;
    const count = (agent?.dps_count ?? 0) + 1;
    deps.store.upsertAgent({
      account_id: accountId,
      client_id: identity.registrationId,
      common_name: identity.commonName,
      fingerprint: identity.fingerprint,
      issuer: identity.issuer,
      state: 'assigned',
      first_seen: agent?.first_seen ?? at,
      last_seen: at,
      state_changed_at: at,
      dps_created_at: createdAt,
      dps_count: count,
    });
    const assignedHub = deps.hubHost(accountId);
    deps.record(accountId, identity.registrationId, 'dps-assigned', `assigned to ${assignedHub}`);
    return {
      operationId,
      status: 'assigned',
      registrationState: registrationState({
        tenant,
        registrationId: identity.registrationId,
        createdAt,
        updatedAt: at,
        assignedHub,
        deviceId: identity.registrationId,
        reprovisioned: count > 1,
        etagSeed: at,
      }),
    };
  }

  return {
    authenticate,
    handle,
    isLogin: (ctx: ConnectContext) => parseDpsUsername(ctx.username) !== undefined,
  };
}

function registrationIdInBody(payload: Buffer): string | undefined {
  if (payload.length === 0 || payload.length > 64 * 1024) return undefined;
  try {
    const body = JSON.parse(payload.toString('utf8')) as { registrationId?: unknown };
    return typeof body?.registrationId === 'string' ? body.registrationId : undefined;
  } catch {
    return undefined;
  }
}

export function fingerprintOf(ctx: ConnectContext): string {
  const leaf = ctx.peerCertificates?.[0];
  return leaf?.raw ? crypto.createHash('sha256').update(leaf.raw).digest('hex') : '';
}
