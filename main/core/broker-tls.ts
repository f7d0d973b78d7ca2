import net from 'node:net';
import os from 'node:os';
import type { Logger } from 'pino';
import type { ListenerRecord, TlsMaterial } from '../broker/listeners';
import type { Pki, ServerCredentials } from '../pki';
import type { Settings } from './settings';

const SERVER_SERIAL_KEY = 'broker.serverCertificateSerial';
const SERVER_NAMES_KEY = 'broker.serverCertificateNames';
const RENEW_WITHIN_MS = 30 * 24 * 3600 * 1000;

/**
 * The embedded broker's TLS: one server certificate from Fieldbench's CA (names of this machine), the
 * trust anchors and CRL for mutual TLS. Renewal and revocation hot-swap it into running listeners.
 */
export class BrokerTls {
  private current: ServerCredentials | undefined;

  constructor(
    private readonly pki: Pki,
    private readonly settings: Settings,
    private readonly logger: Logger,
    /** Names of the secure endpoints that devices of accounts on the embedded service dial. */
    private readonly endpointNames: () => string[] = () => [],
  ) {}

  /** This machine's names plus the endpoints' names, split into DNS names and IP addresses. */
  private wantedNames(): { dnsNames: string[]; ipAddresses: string[] } {
    const hostname = os.hostname();
    const names = new Set(['localhost', hostname, '127.0.0.1', '::1', ...this.endpointNames()]);
    const dnsNames: string[] = [];
    const ipAddresses: string[] = [];
    for (const name of names) {
      if (net.isIP(name)) ipAddresses.push(name);
      else if (/^[A-Za-z0-9.-]+$/.test(name)) dnsNames.push(name.toLowerCase());
    }
    return { dnsNames: dnsNames.sort(), ipAddresses: ipAddresses.sort() };
  }

  /** Reissues the server certificate when the endpoints' names changed; true when a new one is in use. */
  async refreshNames(): Promise<boolean> {
    if (this.settings.get(SERVER_NAMES_KEY) === JSON.stringify(this.wantedNames())) return false;
    this.current = undefined;
    this.settings.set(SERVER_SERIAL_KEY, '');
    await this.serverCredentials();
    return true;
  }

  /** The certificate in use, issued on first need or when the saved one is gone, revoked or about to expire. */
  async serverCredentials(): Promise<ServerCredentials> {
    if (this.current && this.usable(this.current)) return this.current;
    const saved = this.settings.get(SERVER_SERIAL_KEY);
    if (saved && this.settings.get(SERVER_NAMES_KEY) === JSON.stringify(this.wantedNames())) {
      try {
        const credentials = this.pki.serverCredentials(saved);
        if (this.usable(credentials)) {
          this.current = credentials;
          return credentials;
        }
      } catch (err) {
        this.logger.warn(
          { err, serial: saved },
          'saved broker server certificate is unusable; issuing a new one',
        );
      }
    }
    const names = this.wantedNames();
    const record = await this.pki.issueServerCertificate({
      commonName: os.hostname() || 'localhost',
      ...names,
    });
    this.settings.set(SERVER_NAMES_KEY, JSON.stringify(names));
    this.adopt(this.pki.serverCredentials(record.serial));
    this.logger.info({ serial: record.serial }, 'issued the broker server certificate');
    return this.current!;
  }

  adopt(credentials: ServerCredentials): void {
    this.current = credentials;
    this.settings.set(SERVER_SERIAL_KEY, credentials.serial);
  }

  /** Material for one TLS listener; mutual-TLS listeners also get the trust anchors and CRL. */
  material = async (listener: Readonly<ListenerRecord>): Promise<TlsMaterial> => {
    const credentials = await this.serverCredentials();
    const trust = this.pki.tlsTrust();
    return {
      certificates: [{ cert: credentials.cert, key: credentials.key }],
      ...(listener.kind === 'mqtts-mutual' ? { ca: trust.ca, ...this.crlOption(trust) } : {}),
    };
  };

  /**
   * OpenSSL demands a CRL from every CA in a chain once any CRL is configured, so while some tenant CA has
   * not supplied one, revocation is enforced at CONNECT (the PKI checks every client chain) instead.
   */
  private crlOption(trust: ReturnType<Pki['tlsTrust']>): { crl?: string[] } {
    if (trust.tenantCasWithoutCrl.length > 0) {
      this.logger.warn(
        { tenantCas: trust.tenantCasWithoutCrl },
        'a tenant CA has no CRL; mutual-TLS listeners check revocation at CONNECT instead of in the handshake',
      );
      return {};
    }
    return { crl: trust.crl };
  }

  summary(): string | undefined {
    if (!this.current) return undefined;
    const record = this.pki.getCertificate(this.current.serial);
    if (!record) return undefined;
    return `${record.subject} · expires ${new Date(this.current.notAfter).toISOString().slice(0, 10)} · serial ${record.serial}`;
  }

  isCurrent(serial: string): boolean {
    return this.current?.serial === serial;
  }

  private usable(credentials: ServerCredentials): boolean {
    return !this.pki.isRevoked(credentials.serial) && credentials.notAfter - Date.now() > RENEW_WITHIN_MS;
  }
}
