import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { ListenerKind } from '../broker/hooks';
import type { Pki } from '../pki';
import type { Tenancy } from '../tenancy';
import type { RunningListener } from '../tenancy';
import { ProtocolError } from './protocol';
import type { MetricValue } from './protocol/message';
import type { Issued, RequestRow } from './repository';

export interface NewIdentity {
  issued: Issued;
  /** The generated configuration, as reply metrics (`config.*`, `ca.chain`, …). */
  metrics: Record<string, MetricValue>;
}

const ANY_HOST = new Set(['0.0.0.0', '::', '']);

/** `mqtts://host:port` from a running listener of one of `kinds`, or null. */
function listenerUrl(listeners: RunningListener[], kinds: ListenerKind[]): string | null {
  const found = kinds.map((kind) => listeners.find((l) => l.kind === kind)).find(Boolean);
  if (!found) return null;
  const scheme = found.kind === 'mqtt' ? 'mqtt' : 'mqtts';
  const host = ANY_HOST.has(found.host) ? 'localhost' : found.host;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${found.port}`;
}

/**
 * Issues the device's new identity in its target account (a device credential, or a certificate from
 * its CSR), builds the configuration it is sent, and discards both when an attempt fails.
 */
export class IdentityIssuer {
  constructor(
    private readonly tenancy: Tenancy,
    private readonly pki: Pki,
    private readonly runningListeners: () => RunningListener[],
    private readonly logger: Logger,
  ) {}

  /** The broker URL the device is told to use: the target's endpoints, else a running listener. */
  brokerUrl(row: RequestRow, withCertificate: boolean): string {
    const wanted = row.secure_url === 1 ? 'mqtts' : 'mqtt';
    const endpoint = this.tenancy.endpoints
      .effective(row.target_account_id)
      .endpoints.find((e) => e.scheme === wanted);
    if (endpoint) return `${endpoint.scheme}://${endpoint.domain}:${endpoint.port}`;
    const kinds: ListenerKind[] =
      row.secure_url !== 1
        ? ['mqtt']
        : withCertificate
          ? ['mqtts-mutual', 'mqtts']
          : ['mqtts', 'mqtts-mutual'];
    const url = listenerUrl(this.runningListeners(), kinds);
    if (!url) {
      throw new ProtocolError(
        'INTERNAL_ERROR',
        `Neither the target account nor the broker offers a ${wanted} URL; ask the operator to add an endpoint.`,
      );
    }
    return url;
  }

  async issue(row: RequestRow, csrPem: string | undefined): Promise<NewIdentity> {
    const account = this.tenancy.accounts.require(row.target_account_id);
    const brokerUrl = this.brokerUrl(row, csrPem !== undefined);
    const chain = this.pki.caChainPem();
    const issuing = this.pki.listAuthorities().find((a) => a.role === 'issuing');
    const metrics: Record<string, MetricValue> = {
      'config.broker.url': brokerUrl,
      'config.account.name': account.name,
      'config.client.id': row.client_id,
      'ca.chain': chain,
      'signing.certificate': issuing?.certificatePem ?? '',
    };
    if (csrPem !== undefined) {
      let serial: string;
      let certificatePem: string;
      try {
        const cert = await this.pki.issueDeviceCertificate({
          name: row.client_id,
          accountId: account.id,
          commonNameStyle: 'client-id',
          csrPem,
        });
        serial = cert.serial;
        certificatePem = cert.certificatePem;
      } catch (err) {
        throw new ProtocolError('CSR_INVALID', (err as Error).message);
      }
      this.tenancy.devices.configure(account, row.client_id, { coupling: row.coupling });
      metrics['config.certificate'] = certificatePem;
      return { issued: { credentialId: null, username: null, certificateSerial: serial }, metrics };
    }
    const password = crypto.randomBytes(18).toString('base64url');
    const credential = await this.tenancy.credentials.create({
      accountId: account.id,
      username: this.freeUsername(account.name, row.client_id),
      password,
      expiresAt: null,
      enabled: true,
    });
    try {
      this.tenancy.devices.configure(account, row.client_id, {
        coupling: row.coupling,
        reservedCredentialId: row.coupling === 'strict' ? credential.id : null,
      });
    } catch (err) {
      this.tenancy.credentials.delete(credential.id);
      throw err;
    }
    metrics['config.username'] = credential.username;
    metrics['config.password'] = password;
    return {
      issued: { credentialId: credential.id, username: credential.username, certificateSerial: null },
      metrics,
    };
  }

  private freeUsername(accountName: string, clientId: string): string {
    const base = `${accountName}-${clientId}`.slice(0, 100);
    if (!this.tenancy.credentials.byUsername(base)) return base;
    return `${base}-${crypto.randomBytes(3).toString('hex')}`;
  }

  /** Deletes the credential / revokes the certificate an unfinished attempt was given. */
  discard(row: RequestRow): void {
    if (row.issued_credential_id && this.tenancy.credentials.row(row.issued_credential_id)) {
      this.tenancy.credentials.delete(row.issued_credential_id);
    }
    if (row.issued_certificate_serial) {
      this.pki.revoke(row.issued_certificate_serial, 'cessationOfOperation').catch((err: unknown) => {
        this.logger.error({ err, requestId: row.id }, 'could not revoke a provisioning certificate');
      });
    }
  }
}
