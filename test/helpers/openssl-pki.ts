import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Throwaway certificates made with the openssl CLI (a stack other than Fieldbench's own PKI):
 * CAs, server and client certificates, CSRs, revocations and CRLs.
 */

/** File paths of one key pair and its certificate. */
export interface CertFiles {
  cert: string;
  key: string;
}

/** A CA with an `openssl ca` database in its own directory, so it can issue, revoke and sign CRLs. */
export interface OpensslCa extends CertFiles {
  dir: string;
}

export interface CaOptions {
  /** Default `/CN=<name>`. */
  subject?: string;
  days?: number;
  /** False makes a self-signed certificate that is not a CA (for refusal tests). */
  ca?: boolean;
  /** e.g. `DNS:localhost,IP:127.0.0.1`. */
  subjectAltName?: string;
}

export interface LeafOptions {
  /** Default `/CN=<name>`. */
  subject?: string;
  /** Default clientAuth. */
  extendedKeyUsage?: string;
  /** Default digitalSignature,keyEncipherment. */
  keyUsage?: string;
  /** e.g. `DNS:localhost,IP:127.0.0.1`. */
  subjectAltName?: string;
  /** Validity from now (default 30 days), or fixed dates as `YYYYMMDDHHMMSSZ` (e.g. already expired). */
  days?: number;
  validity?: { start: string; end: string };
  /** Encrypts the private key with this passphrase. */
  passphrase?: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function openssl(args: string[], cwd?: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function caConfig(dir: string): string {
  return [
    '[ ca ]',
    'default_ca = test_ca',
    '[ test_ca ]',
    `database = ${dir}/index.txt`,
    `new_certs_dir = ${dir}/issued`,
    `serial = ${dir}/serial`,
    `crlnumber = ${dir}/crlnumber`,
    'default_md = sha256',
    'default_days = 30',
    'default_crl_days = 30',
    'policy = any',
    'preserve = yes',
    'copy_extensions = none',
    'unique_subject = no',
    '[ any ]',
    'commonName = supplied',
    '',
  ].join('\n');
}

/** A self-signed CA in `<dir>/<name>/` (random first serial, so two CAs never share serials). */
export function createCa(dir: string, name: string, options: CaOptions = {}): OpensslCa {
  const caDir = path.join(dir, name.replace(/[^\w.-]+/g, '-'));
  fs.mkdirSync(path.join(caDir, 'issued'), { recursive: true });
  fs.writeFileSync(path.join(caDir, 'index.txt'), '');
  fs.writeFileSync(path.join(caDir, 'serial'), `${crypto.randomBytes(8).toString('hex')}\n`);
  fs.writeFileSync(path.join(caDir, 'crlnumber'), '1000\n');
  fs.writeFileSync(path.join(caDir, 'ca.cnf'), caConfig(caDir));
  const isCa = options.ca ?? true;
  const cert = path.join(caDir, 'ca.pem');
  const key = path.join(caDir, 'ca.key');
  openssl([
    ...['req', '-x509', ...EC_KEY, '-nodes', '-keyout', key, '-out', cert],
    ...['-subj', options.subject ?? `/CN=${name}`, '-days', String(options.days ?? 30)],
    ...['-addext', `basicConstraints=critical,CA:${isCa ? 'TRUE' : 'FALSE'}`],
    ...['-addext', isCa ? 'keyUsage=critical,keyCertSign,cRLSign' : 'keyUsage=critical,digitalSignature'],
    ...(options.subjectAltName ? ['-addext', `subjectAltName=${options.subjectAltName}`] : []),
  ]);
  return { dir: caDir, cert, key };
}

export interface CsrOptions {
  /** Default `/CN=<name>`. */
  subject?: string;
  /** An RSA 2048 key instead of EC P-256. */
  rsa?: boolean;
  /** Encrypts the private key with this passphrase. */
  passphrase?: string;
}

/** A new key and CSR in `dir` (`<name>.key`, `<name>.csr`). */
export function createCsr(dir: string, name: string, options: CsrOptions = {}): { csr: string; key: string } {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const keyType = options.rsa ? ['-newkey', 'rsa:2048'] : EC_KEY;
  const keyProtection = options.passphrase ? ['-passout', `pass:${options.passphrase}`] : ['-nodes'];
  const subject = options.subject ?? `/CN=${name}`;
  openssl(['req', '-new', ...keyType, ...keyProtection, '-subj', subject, '-keyout', key, '-out', csr]);
  return { csr, key };
}

/** A leaf certificate signed by `ca` (`<name>.pem` and `<name>.key` in the CA's directory). */
export function issueCert(ca: OpensslCa, name: string, options: LeafOptions = {}): CertFiles {
  const { csr, key } = createCsr(ca.dir, name, { subject: options.subject, passphrase: options.passphrase });
  const cert = path.join(ca.dir, `${name}.pem`);
  const extFile = path.join(ca.dir, `${name}.ext`);
  fs.writeFileSync(
    extFile,
    [
      'basicConstraints = CA:FALSE',
      `keyUsage = ${options.keyUsage ?? 'digitalSignature, keyEncipherment'}`,
      `extendedKeyUsage = ${options.extendedKeyUsage ?? 'clientAuth'}`,
      ...(options.subjectAltName ? [`subjectAltName = ${options.subjectAltName}`] : []),
      '',
    ].join('\n'),
  );
  const validity = options.validity
    ? ['-startdate', options.validity.start, '-enddate', options.validity.end]
    : ['-days', String(options.days ?? 30)];
  openssl(
    [
      ...['ca', '-batch', '-config', 'ca.cnf', '-cert', ca.cert, '-keyfile', ca.key, '-notext'],
      ...['-extfile', extFile, '-in', csr, '-out', cert, ...validity],
    ],
    ca.dir,
  );
  return { cert, key };
}

/** Marks `cert` revoked in the CA's database (it shows in the next CRL). */
export function revokeCert(ca: OpensslCa, cert: string): void {
  openssl(['ca', '-config', 'ca.cnf', '-cert', ca.cert, '-keyfile', ca.key, '-revoke', cert], ca.dir);
}

/**
 * Signs a CRL listing the revoked certificates (empty when none); returns its path. `nextUpdate` sets
 * how long it stays current (openssl's -crldays / -crlsec), otherwise the config's default.
 */
export function createCrl(ca: OpensslCa, nextUpdate?: { days: number } | { seconds: number }): string {
  const lifetime =
    nextUpdate === undefined
      ? []
      : 'days' in nextUpdate
        ? ['-crldays', String(nextUpdate.days)]
        : ['-crlsec', String(nextUpdate.seconds)];
  const crl = path.join(ca.dir, nextUpdate === undefined ? 'crl.pem' : `crl-${lifetime.join('')}.pem`);
  openssl(
    ['ca', '-config', 'ca.cnf', '-cert', ca.cert, '-keyfile', ca.key, '-gencrl', ...lifetime, '-out', crl],
    ca.dir,
  );
  return crl;
}

export function readPem(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** The usual set for TLS tests: one CA with server and client certificates, and the ways a client can fail. */
export interface TestPki {
  dir: string;
  ca: string;
  otherCa: string;
  /** CN fieldbench-server, SANs localhost and 127.0.0.1. */
  server: CertFiles;
  /** A second server certificate from the same CA, for hot-swap tests (CN fieldbench-server-2). */
  server2: CertFiles;
  /** Server certificate for the SNI name `alt.fieldbench.test`. */
  serverAlt: CertFiles;
  /** CN device-1, clientAuth. */
  client: CertFiles;
  clientOtherCa: CertFiles;
  clientExpired: CertFiles;
  clientRevoked: CertFiles;
  /** Certificate whose extended key usage is serverAuth only. */
  clientWrongEku: CertFiles;
  /** The CA's CRL, listing clientRevoked. */
  crl: string;
  read(file: string): string;
}

const LOCAL_SERVER = { extendedKeyUsage: 'serverAuth', subjectAltName: 'DNS:localhost, IP:127.0.0.1' };

/** Makes the whole {@link TestPki} in `dir`. */
export function createTestPki(dir: string): TestPki {
  const ca = createCa(dir, 'test-ca');
  const other = createCa(dir, 'other-ca');
  const clientRevoked = issueCert(ca, 'device-revoked');
  revokeCert(ca, clientRevoked.cert);
  return {
    dir,
    ca: ca.cert,
    otherCa: other.cert,
    server: issueCert(ca, 'fieldbench-server', LOCAL_SERVER),
    server2: issueCert(ca, 'fieldbench-server-2', LOCAL_SERVER),
    serverAlt: issueCert(ca, 'fieldbench-server-alt', {
      extendedKeyUsage: 'serverAuth',
      subjectAltName: 'DNS:alt.fieldbench.test',
    }),
    client: issueCert(ca, 'device-1'),
    clientOtherCa: issueCert(other, 'device-other'),
    clientExpired: issueCert(ca, 'device-expired', {
      validity: { start: '20200101000000Z', end: '20200201000000Z' },
    }),
    clientRevoked,
    clientWrongEku: issueCert(ca, 'device-wrong-eku', { extendedKeyUsage: 'serverAuth' }),
    crl: createCrl(ca),
    read: readPem,
  };
}
