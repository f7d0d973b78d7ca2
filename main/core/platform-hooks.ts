import type { AccessRule, BrokerHooks, ConnectContext } from '../broker';
import { createDefaultHooks } from '../broker';
import type { Onboarding, OnboardingRefusal } from '../onboarding';
import type { Pki } from '../pki';
import type { Tenancy } from '../tenancy';

const NOT_AUTHORIZED = 0x87;

export interface PlatformHooksOptions {
  tenancy: Tenancy;
  pki: Pki;
  allowAnonymous: boolean;
  /** Lab access rules for anonymous clients (`--config`). */
  anonymousRules?: { allow?: AccessRule[]; deny?: AccessRule[] };
  /** Called when a certificate login is refused at CONNECT, for the TLS failure log. */
  onCertificateRefused?: (ctx: ConnectContext, reason: CertificateRefusal, message: string) => void;
  /** Certificate onboarding (client-id modes, zero-touch, DPS, topic structures); without it: client id = CN. */
  onboarding?: Onboarding['hooks'];
}

export type CertificateRefusal =
  | 'client-id-mismatch'
  | 'certificate-revoked'
  | 'unknown-ca'
  | 'certificate-expired'
  | OnboardingRefusal
  | 'other';

const refusalByVerification: Record<string, CertificateRefusal> = {
  revoked: 'certificate-revoked',
  'unknown-ca': 'unknown-ca',
  expired: 'certificate-expired',
};

/**
 * What the broker asks at CONNECT, PUBLISH and SUBSCRIBE: certificate logins on mutual-TLS listeners go
 * through the PKI and then the account's rules; passwords and API keys through tenancy; anonymous lab
 * clients through the operator's simple access rules.
 */
export function createPlatformHooks(options: PlatformHooksOptions): BrokerHooks {
  const { tenancy, pki } = options;
  const anonymous = createDefaultHooks(options.allowAnonymous, options.anonymousRules);

  async function authenticateCertificate(ctx: ConnectContext) {
    const verified = await pki.verifyClientChain(ctx.peerCertificates ?? []);
    if (!verified.ok) {
      options.onCertificateRefused?.(
        ctx,
        refusalByVerification[verified.reason] ?? 'other',
        verified.message,
      );
      return {
        ok: false as const,
        reasonCode: NOT_AUTHORIZED,
        reasonString: `Client certificate refused: ${verified.message}`,
      };
    }
    const strictCheck = () => {
      if (verified.commonName === ctx.clientId) return undefined;
      options.onCertificateRefused?.(
        ctx,
        'client-id-mismatch',
        `The device connected as "${ctx.clientId}" but its certificate is for "${verified.commonName}".`,
      );
      return {
        ok: false as const,
        reasonCode: 0x85,
        reasonString: `Client id "${ctx.clientId}" does not match the certificate's common name "${verified.commonName}"`,
      };
    };
    if (!verified.accountId || !options.onboarding) {
      const mismatch = strictCheck();
      if (mismatch) return mismatch;
    }
    if (!verified.accountId) return { transportOnly: verified.serial };
    const account = tenancy.accounts.row(verified.accountId);
    if (!account) {
      return {
        ok: false as const,
        reasonCode: NOT_AUTHORIZED,
        reasonString: 'The certificate belongs to an account that no longer exists',
      };
    }
    const admit = () =>
      tenancy.admitToAccount(
        ctx,
        account,
        { kind: 'device', attributes: { certificateSerial: verified.serial, issuedBy: verified.issuedBy } },
        null,
      );
    if (!options.onboarding) return admit();
    // The account's onboarding mode decides the client-id convention and records the agent.
    const admission = options.onboarding.admitCertificate(ctx, verified, account, admit);
    if (!admission.ok && admission.refusal) {
      options.onCertificateRefused?.(ctx, admission.refusal.reason, admission.refusal.message);
    }
    return admission.result;
  }

  return {
    async authenticate(ctx) {
      const onMutualTls = ctx.listener.kind === 'mqtts-mutual' && (ctx.peerCertificates?.length ?? 0) > 0;
      if (onMutualTls && options.onboarding?.isRegistrationLogin(ctx)) {
        return options.onboarding.authenticateRegistration(ctx);
      }
      if (ctx.listener.kind === 'mqtts-mutual' && ctx.peerCertificates && ctx.peerCertificates.length > 0) {
        const byCertificate = await authenticateCertificate(ctx);
        if (!('transportOnly' in byCertificate)) return byCertificate;
        // A certificate not bound to an account only proves the transport; the login decides the account.
        // Its serial still goes with the connection, so revoking the certificate drops it.
        const login = await tenancy.hooks.authenticate(ctx);
        if (!login.ok) return login;
        const attributes = { ...login.principal.attributes, certificateSerial: byCertificate.transportOnly };
        return { ok: true, principal: { ...login.principal, attributes } };
      }
      return tenancy.hooks.authenticate(ctx);
    },
    authorizePublish(client, topic, qos, retain) {
      const byOnboarding = options.onboarding?.authorizePublish(client, topic);
      if (byOnboarding !== undefined) return byOnboarding;
      return client.principal.kind === 'anonymous'
        ? anonymous.authorizePublish(client, topic, qos, retain)
        : tenancy.hooks.authorizePublish(client, topic, qos, retain);
    },
    authorizeSubscribe(client, filter, qos) {
      const byOnboarding = options.onboarding?.authorizeSubscribe(client, filter);
      if (byOnboarding !== undefined) return byOnboarding;
      return client.principal.kind === 'anonymous'
        ? anonymous.authorizeSubscribe(client, filter, qos)
        : tenancy.hooks.authorizeSubscribe(client, filter, qos);
    },
    // Anonymous lab rules never change at run time, so SUBSCRIBE already decided for them.
    authorizeDelivery(client, topic, message) {
      if (options.onboarding?.authorizeDelivery(client) !== undefined) return true;
      return client.principal.kind === 'anonymous' || !tenancy.hooks.authorizeDelivery
        ? true
        : tenancy.hooks.authorizeDelivery(client, topic, message);
    },
  };
}
