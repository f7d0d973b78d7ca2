import type { AccessRule, BrokerHooks, ConnectContext } from '../broker';
import type { AuthorizeResult, ClientRef, DeliveryMessage, Principal } from '../broker/hooks';
import { createDefaultHooks } from '../broker';
import type { Pki } from '../pki';
import type { Provisioning } from '../provisioning';
import type { Tenancy } from '../tenancy';

/** The resource API's share of the broker hooks (main/resources): API-key clients on resource topics. */
export interface ResourceHooks {
  owns(client: ClientRef, topic: string): boolean;
  decorate(principal: Principal): Principal;
  authorizePublish(client: ClientRef, topic: string): AuthorizeResult;
  authorizeSubscribe(client: ClientRef, filter: string): AuthorizeResult;
  authorizeDelivery(client: ClientRef, topic: string, message: DeliveryMessage): boolean;
}

const NOT_AUTHORIZED = 0x87;
const RESOURCE_DELIVERY_REFUSED = Object.freeze({ reasonCode: NOT_AUTHORIZED });

export interface PlatformHooksOptions {
  tenancy: Tenancy;
  pki: Pki;
  allowAnonymous: boolean;
  /** Lab access rules for anonymous clients (`--config`). */
  anonymousRules?: { allow?: AccessRule[]; deny?: AccessRule[] };
  /** JWT devices and gateways (`subscriptions/…/devices/<d>` client ids) are served by their own hooks. */
  gateways?: { claims(ctx: ConnectContext): boolean; owns(client: ClientRef): boolean; hooks: BrokerHooks };
  /** Called when a certificate login is refused at CONNECT, for the TLS failure log. */
  onCertificateRefused?: (ctx: ConnectContext, reason: CertificateRefusal, message: string) => void;
  /** Resource topics of API-key clients are decided here instead of by access rules. */
  resources?: ResourceHooks;
  /** Device provisioning: logins into the provision account and their own topics (main/provisioning). */
  provisioning?: Provisioning['hooks'];
}

export type CertificateRefusal =
  | 'client-id-mismatch'
  | 'certificate-revoked'
  | 'unknown-ca'
  | 'certificate-expired'
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
  const { tenancy, pki, resources } = options;
  // $SYS counts over every account: only operators (the explorer) see it, never anonymous lab clients.
  const anonymous = createDefaultHooks(options.allowAnonymous, {
    ...options.anonymousRules,
    allowDollarTopics: false,
  });
  const provisioning = options.provisioning;

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
        // The parser's own text stays in the log; the device is told what happened in our words.
        reasonString:
          verified.reason === 'unparseable'
            ? 'Client certificate refused: it cannot be parsed'
            : `Client certificate refused: ${verified.message}`,
      };
    }
    if (verified.commonName !== ctx.clientId) {
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
    return tenancy.admitToAccount(
      ctx,
      account,
      { kind: 'device', attributes: { certificateSerial: verified.serial, issuedBy: verified.issuedBy } },
      null,
    );
  }

  const gateways = options.gateways;
  return {
    async authenticate(ctx) {
      if (gateways?.claims(ctx)) return gateways.hooks.authenticate(ctx);
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
      if (provisioning?.claims(ctx)) return provisioning.authenticate(ctx);
      const result = await tenancy.hooks.authenticate(ctx);
      return result.ok && resources ? { ok: true, principal: resources.decorate(result.principal) } : result;
    },
    authorizePublish(client, topic, qos, retain) {
      if (provisioning?.owns(client)) return provisioning.authorizePublish(client, topic);
      if (gateways?.owns(client)) return gateways.hooks.authorizePublish(client, topic, qos, retain);
      if (resources?.owns(client, topic)) return resources.authorizePublish(client, topic);
      return client.principal.kind === 'anonymous'
        ? anonymous.authorizePublish(client, topic, qos, retain)
        : tenancy.hooks.authorizePublish(client, topic, qos, retain);
    },
    authorizeSubscribe(client, filter, qos, packetId) {
      if (provisioning?.owns(client)) return provisioning.authorizeSubscribe(client, filter);
      if (gateways?.owns(client)) return gateways.hooks.authorizeSubscribe(client, filter, qos, packetId);
      if (resources?.owns(client, filter)) return resources.authorizeSubscribe(client, filter);
      return client.principal.kind === 'anonymous'
        ? anonymous.authorizeSubscribe(client, filter, qos)
        : tenancy.hooks.authorizeSubscribe(client, filter, qos);
    },
    // A wide subscription may be granted beside denied topics: those are withheld here.
    authorizeDelivery(client, topic, message) {
      if (provisioning?.owns(client)) return provisioning.authorizeDelivery(client, topic);
      if (gateways?.owns(client)) return gateways.hooks.authorizeDelivery?.(client, topic, message) ?? true;
      if (resources && !resources.authorizeDelivery(client, topic, message)) return RESOURCE_DELIVERY_REFUSED;
      if (resources?.owns(client, topic)) return true;
      const hooks = client.principal.kind === 'anonymous' ? anonymous : tenancy.hooks;
      return hooks.authorizeDelivery ? hooks.authorizeDelivery(client, topic, message) : true;
    },
  };
}
