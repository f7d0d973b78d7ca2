import crypto from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { requireAccount } from './accounts';
import type { KeyAlgorithm } from './algorithms';
import { BACKDATE_MS } from './authorities';
import { buildLeafCertificate } from './certificate-builder';
import { DAY_MS, type PkiContext } from './context';
import { commonNameOf, parseVerifiedCsr } from './csr';
import { PkiError } from './errors';
import { generateDerKeyPair, keyAlgorithmOf, sealKey } from './keys';
import type { NewCertificate } from './repository';
import type { CertificateRecord, CommonNameStyle } from './types';
import type { x509 } from './x509';

export interface DeviceCertificateRequest {
  /** Client id, or the device name when `commonNameStyle` is `account-prefixed`. Defaults to the CSR's CN. */
  name?: string;
  accountId?: string | null;
  commonNameStyle?: CommonNameStyle;
  /** PEM CSR; without one, Fieldbench generates the key pair and keeps the private key sealed. */
  csrPem?: string;
  keyAlgorithm?: KeyAlgorithm;
  validityDays?: number;
}

export interface BatchIssueRequest {
  /** CSV text: one device name per line in the first column; a `name`/`client_id` header is skipped. */
  csv: string;
  accountId?: string | null;
  commonNameStyle?: CommonNameStyle;
  keyAlgorithm?: KeyAlgorithm;
  validityDays?: number;
  /** Certificates per chunk between event-loop yields (default 8: each chunk is a few ms of signing and one insert). */
  chunkSize?: number;
}

export interface BatchProgress {
  batchId: string;
  done: number;
  total: number;
}

export interface BatchResult {
  batchId: string;
  issued: { serial: string; commonName: string }[];
}

const DEFAULT_VALIDITY_DAYS = 365;
const MAX_CN_LENGTH = 64;

/** `<account name>_<device name>` (the Insights Hub convention) or the plain client id. */
export function deviceCommonName(name: string, accountName: string | null, style: CommonNameStyle): string {
  if (style === 'account-prefixed') {
    if (!accountName) throw new PkiError('BAD_REQUEST', 'An account-prefixed common name needs an account');
    return `${accountName}_${name}`;
  }
  return name;
}

function checkCommonName(cn: string): void {
  if (cn.length === 0 || cn.length > MAX_CN_LENGTH) {
    throw new PkiError(
      'BAD_REQUEST',
      `Common name must be 1..${MAX_CN_LENGTH} characters, got ${cn.length}: "${cn}"`,
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(cn))
    throw new PkiError('BAD_REQUEST', 'Common name contains control characters');
}

/** Rows a batch may hold unless the operator configured otherwise (`--config` `pki.maxBatchRows`). */
export const DEFAULT_MAX_BATCH_ROWS = 10_000;

/**
 * Device names from CSV text: first column, trimmed, quotes removed, blank lines and a header skipped.
 * Refuses more than `maxRows` names as soon as it sees one too many, and duplicates (one pass, a Map).
 */
export function parseDeviceNamesCsv(csv: string, maxRows = DEFAULT_MAX_BATCH_ROWS): string[] {
  const names: string[] = [];
  const firstRow = new Map<string, number>();
  const duplicates = new Map<string, number[]>();
  let index = 0;
  for (let from = 0; from <= csv.length; index++) {
    const newline = csv.indexOf('\n', from);
    const end = newline === -1 ? csv.length : newline;
    const line = csv.slice(from, end);
    from = end + 1;
    const comma = line.indexOf(',');
    const first = (comma === -1 ? line : line.slice(0, comma))
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    if (!first) continue;
    if (index === 0 && /^(name|device|client_?id|clientid)$/i.test(first)) continue;
    if (names.length === maxRows) {
      throw new PkiError(
        'BAD_REQUEST',
        `The CSV has more than ${maxRows} device names; a batch may hold at most ${maxRows} rows. Split it into smaller files.`,
      );
    }
    const row = index + 1;
    const seen = firstRow.get(first);
    if (seen === undefined) firstRow.set(first, row);
    else {
      const rows = duplicates.get(first);
      if (rows) rows.push(row);
      else duplicates.set(first, [seen, row]);
    }
    names.push(first);
  }
  if (duplicates.size > 0) {
    const listed = [...duplicates].slice(0, 5).map(([name, rows]) => {
      const shown = rows.slice(0, 5).join(', ');
      return `${name} (rows ${shown}${rows.length > 5 ? ', …' : ''})`;
    });
    const more = duplicates.size > 5 ? ` and ${duplicates.size - 5} more` : '';
    throw new PkiError('BAD_REQUEST', `Duplicate device names in CSV: ${listed.join(', ')}${more}`);
  }
  return names;
}

export class DeviceIssuer {
  constructor(
    private readonly ctx: PkiContext,
    private readonly maxBatchRows = DEFAULT_MAX_BATCH_ROWS,
  ) {}

  private validity(validityDays: number | undefined): { notBefore: Date; notAfter: Date; days: number } {
    const days = validityDays ?? DEFAULT_VALIDITY_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new PkiError('BAD_REQUEST', `Validity must be 1..3650 days, got ${days}`);
    }
    const now = this.ctx.now().getTime();
    return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS), days };
  }

  /** Builds one certificate (and key, when generated) without storing it. */
  private async prepare(
    commonName: string,
    accountId: string | null,
    keySource: { csr: x509.Pkcs10CertificateRequest } | { generate: KeyAlgorithm },
    validityDays: number | undefined,
    batchId: string | null,
  ): Promise<NewCertificate> {
    checkCommonName(commonName);
    const { notBefore, notAfter, days } = this.validity(validityDays);
    let spki: Buffer;
    let keyAlgorithm: NewCertificate['keyAlgorithm'];
    let keySealed: Buffer | null = null;
    if ('csr' in keySource) {
      spki = Buffer.from(keySource.csr.publicKey.rawData);
      keyAlgorithm =
        keyAlgorithmOf(crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })) ?? 'external';
    } else {
      const keys = await generateDerKeyPair(keySource.generate);
      spki = keys.spki;
      keyAlgorithm = keySource.generate;
      keySealed = sealKey(this.ctx.protector, keys.pkcs8);
    }
    const issuer = this.ctx.authorities.issuing;
    const built = buildLeafCertificate({
      issuer,
      commonName,
      spki,
      profile: 'device',
      notBefore,
      notAfter,
      isRsaKey: keyAlgorithm.startsWith('rsa'),
    });
    return {
      serial: built.serial,
      kind: 'device',
      issuerId: issuer.id,
      subject: built.subject,
      commonName,
      accountId,
      keyAlgorithm,
      notBefore: built.notBefore.getTime(),
      notAfter: built.notAfter.getTime(),
      fingerprintSha256: built.fingerprintSha256,
      certificatePem: built.pem,
      keySealed,
      sans: null,
      validityDays: days,
      batchId,
      createdAt: this.ctx.now().getTime(),
    };
  }

  /** The account's name, after checking that the account exists. */
  private accountName(accountId: string | null): string | null {
    return accountId === null ? null : requireAccount(this.ctx, accountId).name;
  }

  async issue(req: DeviceCertificateRequest): Promise<CertificateRecord> {
    const accountId = req.accountId ?? null;
    const accountName = this.accountName(accountId);
    const csr = req.csrPem ? await parseVerifiedCsr(req.csrPem) : undefined;
    const name = req.name ?? (csr && commonNameOf(csr.subjectName));
    if (!name) throw new PkiError('BAD_REQUEST', 'A device name is required (the CSR has no CN either)');
    const cn = deviceCommonName(name, accountName, req.commonNameStyle ?? 'client-id');
    const prepared = await this.prepare(
      cn,
      accountId,
      csr ? { csr } : { generate: req.keyAlgorithm ?? 'ec-p256' },
      req.validityDays,
      null,
    );
    this.ctx.repo.insertCertificates([prepared]);
    const stored = this.ctx.repo.certificate(prepared.serial);
    if (!stored) throw new Error('issued certificate vanished from the store');
    this.ctx.logger?.info({ serial: prepared.serial, cn, accountId }, 'issued device certificate');
    return stored;
  }

  /**
   * Issues one certificate per CSV name. Work is done in chunks (parallel within a chunk so the
   * crypto thread pool stays busy), each chunk stored in one transaction, with an event-loop yield
   * and a progress report after each.
   */
  async batch(req: BatchIssueRequest, onProgress?: (p: BatchProgress) => void): Promise<BatchResult> {
    const names = parseDeviceNamesCsv(req.csv, this.maxBatchRows);
    if (names.length === 0) throw new PkiError('BAD_REQUEST', 'The CSV contains no device names');
    const accountId = req.accountId ?? null;
    const accountName = this.accountName(accountId);
    const style = req.commonNameStyle ?? 'client-id';
    const cns = names.map((n) => deviceCommonName(n, accountName, style));
    for (const cn of cns) checkCommonName(cn);
    this.validity(req.validityDays);
    const chunkSize = Math.max(1, Math.min(req.chunkSize ?? 8, 256));
    const batchId = crypto.randomUUID();
    const issued: BatchResult['issued'] = [];
    const algorithm = req.keyAlgorithm ?? 'ec-p256';
    onProgress?.({ batchId, done: 0, total: cns.length });
    for (let start = 0; start < cns.length; start += chunkSize) {
      const chunk = cns.slice(start, start + chunkSize);
      const prepared = await Promise.all(
        chunk.map((cn) => this.prepare(cn, accountId, { generate: algorithm }, req.validityDays, batchId)),
      );
      this.ctx.repo.insertCertificates(prepared);
      for (const p of prepared) issued.push({ serial: p.serial, commonName: p.commonName });
      onProgress?.({ batchId, done: issued.length, total: cns.length });
      await yieldToEventLoop();
    }
    this.ctx.logger?.info({ batchId, count: issued.length, accountId }, 'batch-issued device certificates');
    return { batchId, issued };
  }
}
