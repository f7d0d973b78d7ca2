import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { KeyProtector } from '../secrets';
import { type AccountLookup, accountLabel, requireAccount } from './accounts';
import type { KeyAlgorithm } from './algorithms';
import { loadOrCreateAuthorities } from './authorities';
import {
  type ClientVerification,
  type PresentedCertificate,
  localAnchors,
  verifyClientChain,
} from './client-verifier';
import type { PkiContext } from './context';
import type { ExpiredTenantCrl } from './crl-expiry';
import {
  type BatchIssueRequest,
  type BatchProgress,
  type BatchResult,
  type DeviceCertificateRequest,
  DeviceIssuer,
} from './device-issuer';
import { type BundleOptions, Exporter, type PemExport } from './exporter';
import { type Inspection, inspectPem } from './inspector';
import { RenewalScheduler } from './renewal-scheduler';
import { type CertificateFilter, PkiRepository } from './repository';
import { type RevokedListener, Revocation } from './revocation';
import {
  type RenewedServerCertificate,
  type ServerCertificateRequest,
  ServerCertificates,
  type ServerCredentials,
} from './server-certificates';
import { normalizeSerial } from './serial';
import { type TenantCaRegistration, TenantCas } from './tenant-cas';
import type { AuthorityRecord, CertificateRecord, RevocationReason, TenantCaRecord } from './types';

export interface PkiOptions {
  db: Database;
  /** The data directory (reserved for file exports; all PKI state lives in the database). */
  dataDir: string;
  keyProtector: KeyProtector;
  logger?: Logger;
  /** Injected clock for validity, renewal and CRL times; defaults to the system clock. */
  now?: () => Date;
  /** Key algorithm of the root and issuing CA created on first start (default EC P-256). */
  authorityAlgorithm?: KeyAlgorithm;
  /** Tenancy's accounts: account ids are checked and account names used in common names and messages. */
  accounts?: AccountLookup;
  /** Most device names one `batchIssue` accepts (default 10,000); more is refused before any work. */
  maxBatchRows?: number;
}

export interface RenewalOptions {
  /** Renew server certificates this many days before they expire (default 30). */
  renewBeforeDays?: number;
  /** How often to check (default hourly). */
  intervalMs?: number;
  onRenewed?: (renewed: RenewedServerCertificate) => void;
}

/** CA material for TLS listeners: trust anchors and CRLs, as Node's `tls` options expect them. */
export interface TlsTrust {
  ca: string[];
  /**
   * CRLs of the local root and issuing CA and of tenant CAs that uploaded one. Node's `crl` option
   * makes OpenSSL require a CRL for every CA of a client chain (CRL_CHECK_ALL).
   */
  crl: string[];
  /** Accepted tenant CAs without a CRL: with `crl` set, their devices fail the handshake (UNABLE_TO_GET_CRL). */
  tenantCasWithoutCrl: string[];
}

export type TrustChangedListener = (trust: TlsTrust) => void;

export interface Pki {
  listAuthorities(): AuthorityRecord[];
  /** PEM of issuing CA then root. */
  caChainPem(): string;

  issueDeviceCertificate(req: DeviceCertificateRequest): Promise<CertificateRecord>;
  batchIssue(req: BatchIssueRequest, onProgress?: (p: BatchProgress) => void): Promise<BatchResult>;
  issueServerCertificate(req: ServerCertificateRequest): Promise<CertificateRecord>;
  serverCredentials(serial: string): ServerCredentials;
  getCertificate(serial: string): CertificateRecord | undefined;
  listCertificates(filter?: CertificateFilter): { items: CertificateRecord[]; total: number };

  revoke(serial: string, reason?: RevocationReason): Promise<CertificateRecord>;
  isRevoked(serial: string): boolean;
  crlPem(): string;
  onRevoked(listener: RevokedListener): () => void;

  startTenantCaRegistration(accountId: string, caPem: string): Promise<TenantCaRegistration>;
  completeTenantCaRegistration(id: string, verificationCertPem: string): Promise<TenantCaRecord>;
  /** Uploads the tenant's own CRL for an accepted tenant CA (signed by it). */
  setTenantCaCrl(id: string, crlPem: string): Promise<TenantCaRecord>;
  listTenantCas(accountId?: string): TenantCaRecord[];
  removeTenantCa(id: string): void;
  /** Accepted tenant CAs whose uploaded CRL is past its nextUpdate (TLS then refuses their devices). */
  expiredTenantCrls(): ExpiredTenantCrl[];

  verifyClientChain(peerCertsLeafFirst: readonly PresentedCertificate[]): Promise<ClientVerification>;
  tlsTrust(): TlsTrust;
  /** Called when CAs or CRLs change, so listeners can rebuild their secure contexts. */
  onTrustChanged(listener: TrustChangedListener): () => void;

  exportPem(serial: string, options?: { includePrivateKey?: boolean }): PemExport;
  exportPkcs12(serial: string, password: string): Buffer;
  exportZipBundle(serial: string, options: BundleOptions): Buffer;
  inspect(pemText: string, options?: { accountId?: string }): Promise<Inspection>;

  /** One maintenance pass: renew due server certificates and re-sign CRLs nearing their next update. */
  runMaintenance(): Promise<RenewedServerCertificate[]>;
  startRenewalScheduler(options?: RenewalOptions): void;
  close(): Promise<void>;
}

function toAuthorityRecord(a: ReturnType<PkiRepository['authorities']>[number]): AuthorityRecord {
  const { keySealed: _key, crlNumber: _n, crlPem: _crl, crlNextUpdate: _next, ...record } = a;
  return record;
}

function withoutInternals<T extends CertificateRecord>(c: T): CertificateRecord {
  const { sans: _s, validityDays: _v, ...record } = c as T & { sans?: unknown; validityDays?: unknown };
  return record;
}

/** Opens the PKI over an open store, creating the local root and issuing CA on first start. */
export async function createPki(options: PkiOptions): Promise<Pki> {
  const repo = new PkiRepository(options.db);
  const now = options.now ?? (() => new Date());
  const authorities = await loadOrCreateAuthorities(
    repo,
    options.keyProtector,
    options.authorityAlgorithm ?? 'ec-p256',
    now(),
    options.logger,
  );
  const ctx: PkiContext = {
    repo,
    protector: options.keyProtector,
    authorities,
    now,
    logger: options.logger,
    accounts: options.accounts,
  };
  const trustListeners = new Set<TrustChangedListener>();
  const tlsTrust = (): TlsTrust => {
    const tenants = tenantCas.acceptedCertificates().map((t) => t.record);
    return {
      ca: [authorities.root.pem, authorities.issuing.pem, ...tenants.map((t) => t.certificatePem)],
      crl: [...revocation.allCrls(), ...tenants.flatMap((t) => (t.crlPem ? [t.crlPem] : []))],
      tenantCasWithoutCrl: tenants.filter((t) => !t.crlPem).map((t) => t.id),
    };
  };
  const trustChanged = () => {
    const trust = tlsTrust();
    for (const listener of trustListeners) listener(trust);
  };
  const revocation = new Revocation(ctx, trustChanged);
  const tenantCas = new TenantCas(ctx, trustChanged);
  const devices = new DeviceIssuer(ctx, options.maxBatchRows);
  const servers = new ServerCertificates(ctx);
  const exporter = new Exporter(ctx);
  await revocation.refresh();

  let renewBeforeDays = 30;
  let onRenewed: RenewalOptions['onRenewed'];
  let scheduler: RenewalScheduler | undefined;

  const runMaintenance = async (): Promise<RenewedServerCertificate[]> => {
    const renewed = await servers.renewDue(renewBeforeDays);
    for (const r of renewed) onRenewed?.(r);
    if (await revocation.refresh()) trustChanged();
    return renewed;
  };

  return {
    listAuthorities: () => repo.authorities().map(toAuthorityRecord),
    caChainPem: () => exporter.chainPem(),
    issueDeviceCertificate: async (req) => withoutInternals(await devices.issue(req)),
    batchIssue: (req, onProgress) => devices.batch(req, onProgress),
    issueServerCertificate: async (req) => withoutInternals(await servers.issue(req)),
    serverCredentials: (serial) => servers.credentials(normalizeSerial(serial)),
    getCertificate: (serial) => {
      const c = repo.certificate(normalizeSerial(serial));
      return c && withoutInternals(c);
    },
    listCertificates: (filter = {}) => {
      const { items, total } = repo.listCertificates(filter);
      return { items: items.map(withoutInternals), total };
    },
    revoke: async (serial, reason = 'unspecified') =>
      withoutInternals(await revocation.revoke(serial, reason)),
    isRevoked: (serial) => revocation.isRevoked(serial),
    crlPem: () => revocation.crlPem(),
    onRevoked: (listener) => revocation.onRevoked(listener),
    startTenantCaRegistration: (accountId, caPem) => tenantCas.startRegistration(accountId, caPem),
    completeTenantCaRegistration: (id, pem) => tenantCas.completeRegistration(id, pem),
    setTenantCaCrl: (id, crlPem) => tenantCas.setCrl(id, crlPem),
    listTenantCas: (accountId) => tenantCas.list(accountId),
    removeTenantCa: (id) => tenantCas.remove(id),
    expiredTenantCrls: () =>
      tenantCas
        .acceptedCertificates()
        .map((t) => t.record)
        .filter((ca) => ca.crlNextUpdate !== null && ca.crlNextUpdate < now().getTime())
        .map((ca) => ({ ca, accountName: accountLabel(ctx, ca.accountId) })),
    verifyClientChain: (certs) => verifyClientChain(ctx, tenantCas, revocation, certs),
    tlsTrust,
    onTrustChanged: (listener) => {
      trustListeners.add(listener);
      return () => trustListeners.delete(listener);
    },
    exportPem: (serial, opts) => exporter.pem(normalizeSerial(serial), opts?.includePrivateKey ?? false),
    exportPkcs12: (serial, password) => exporter.pkcs12(normalizeSerial(serial), password),
    exportZipBundle: (serial, opts) => exporter.zipBundle(normalizeSerial(serial), opts),
    inspect: (pemText, opts) => {
      if (opts?.accountId !== undefined) requireAccount(ctx, opts.accountId);
      const anchors = localAnchors(ctx, tenantCas).filter(
        (a) => a.source === 'fieldbench' || opts?.accountId === undefined || a.accountId === opts.accountId,
      );
      return inspectPem(pemText, anchors, now());
    },
    runMaintenance,
    startRenewalScheduler: (opts = {}) => {
      renewBeforeDays = opts.renewBeforeDays ?? renewBeforeDays;
      onRenewed = opts.onRenewed;
      scheduler ??= new RenewalScheduler({
        runOnce: async () => {
          await runMaintenance();
        },
        intervalMs: opts.intervalMs ?? 3_600_000,
        logger: options.logger,
      });
      scheduler.start();
    },
    close: async () => {
      await scheduler?.stop();
      trustListeners.clear();
    },
  };
}
