import type { AuthenticateResult, ConnectContext } from '../broker/hooks';
import { checkClientId, type OnboardingRefusal } from './client-id';
import { fingerprintOf } from './registration-service';
import type { AgentRow, OnboardingStore } from './store';

/** A certificate that passed the PKI's chain check and belongs to an account. */
export interface VerifiedAgentCertificate {
  commonName: string;
  issuedBy: 'fieldbench' | 'tenant';
  tenantCaId: string | null;
}

export type CertificateAdmission =
  | { ok: true; result: AuthenticateResult }
  | { ok: false; result: AuthenticateResult; refusal?: { reason: OnboardingRefusal; message: string } };

/** The principal attribute naming the agent a connection belongs to. */
export interface AgentKey {
  accountId: string;
  clientId: string;
}

export interface AdmissionDeps {
  store: OnboardingStore;
  now: () => number;
  record: (accountId: string, clientId: string, kind: string, detail: string) => void;
}

const CONNECTION_RATE_EXCEEDED = 0x9f;

export function acceptAfter(agent: AgentRow, delaySeconds: number): number {
  return agent.state_changed_at + delaySeconds * 1000;
}

/**
 * Zero-touch onboarding at CONNECT: the account's client-id convention, the eu1 reconnect delay, and
 * the agent record (created on the first valid connection, advanced on later ones).
 */
export function createAgentAdmission(deps: AdmissionDeps) {
  const { store } = deps;

  return function admitCertificate(
    ctx: ConnectContext,
    verified: VerifiedAgentCertificate,
    account: { id: string; name: string },
    admit: () => AuthenticateResult,
  ): CertificateAdmission {
    const settings = store.settings(account.id);
    const convention = checkClientId(settings.mode, account.name, ctx.clientId, verified.commonName);
    if (!convention.ok) {
      return {
        ok: false,
        result: { ok: false, reasonCode: 0x85, reasonString: convention.reasonString },
        refusal: { reason: convention.refusal, message: convention.message },
      };
    }
    const at = deps.now();
    const agent = store.agent(account.id, ctx.clientId);
    if (agent?.state === 'awaiting-reconnect') {
      const waitMs = acceptAfter(agent, settings.reconnectDelaySeconds) - at;
      if (waitMs > 0) {
        const message = `Onboarding: "${ctx.clientId}" reconnected too early; accepted again in ${Math.ceil(waitMs / 1000)} s (reconnect delay ${settings.reconnectDelaySeconds} s)`;
        deps.record(account.id, ctx.clientId, 'reconnect-refused', message);
        return {
          ok: false,
          result: { ok: false, reasonCode: CONNECTION_RATE_EXCEEDED, reasonString: message },
          refusal: { reason: 'reconnect-too-early', message },
        };
      }
    }
    const result = admit();
    if (!result.ok) return { ok: false, result };

    const fingerprint = fingerprintOf(ctx);
    const issuer = verified.tenantCaId ? `tenant-ca:${verified.tenantCaId}` : verified.issuedBy;
    const firstConnection = agent === undefined;
    const disconnectAfterConnack = firstConnection && settings.mode === 'eu1';
    store.upsertAgent({
      account_id: account.id,
      client_id: ctx.clientId,
      common_name: verified.commonName,
      fingerprint,
      issuer,
      state: disconnectAfterConnack ? 'awaiting-reconnect' : 'onboarded',
      first_seen: agent?.first_seen ?? at,
      last_seen: at,
      state_changed_at: agent?.state === 'onboarded' ? agent.state_changed_at : at,
      dps_created_at: agent?.dps_created_at ?? null,
      dps_count: agent?.dps_count ?? 0,
    });
    if (firstConnection) {
      deps.record(account.id, ctx.clientId, 'connected', `first connection (${settings.mode} mode)`);
      deps.record(
        account.id,
        ctx.clientId,
        'created',
        `agent record created; CA ${issuer}, fingerprint ${fingerprint}`,
      );
    } else {
      if (agent.fingerprint !== fingerprint) {
        deps.record(
          account.id,
          ctx.clientId,
          'certificate-changed',
          `new certificate, fingerprint ${fingerprint}`,
        );
      }
      const kind =
        agent.state === 'awaiting-reconnect'
          ? 'reconnected'
          : agent.state === 'onboarded'
            ? 'connected'
            : 'connected-to-hub';
      deps.record(account.id, ctx.clientId, kind, `connected (${settings.mode} mode)`);
    }
    const key: AgentKey = { accountId: account.id, clientId: ctx.clientId };
    return {
      ok: true,
      result: {
        ok: true,
        principal: {
          ...result.principal,
          attributes: {
            ...result.principal.attributes,
            onboardingAgent: key,
            ...(disconnectAfterConnack ? { onboardingDisconnect: true } : {}),
          },
        },
      },
    };
  };
}
