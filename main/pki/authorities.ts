import type { CryptoKey, CryptoKeyPair } from './x509';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyProtector } from '../secrets';
import { type KeyAlgorithm, algorithmSpec } from './algorithms';
import { subjectDerOf, subjectName } from './certificate-builder';
import { exportPkcs8, generateKeyPair, importSigningKey, sealKey, unsealKey } from './keys';
import type { PkiRepository, StoredAuthority } from './repository';
import { newSerial } from './serial';
import type { SigningAuthority } from './signing-authority';
import { x509 } from './x509';

const DAY_MS = 86_400_000;
const ROOT_VALIDITY_DAYS = 20 * 365;
const ISSUING_VALIDITY_DAYS = 10 * 365;
/** Backdating absorbs small clock differences between Fieldbench and the devices. */
export const BACKDATE_MS = 5 * 60_000;

export interface LocalAuthorities {
  root: SigningAuthority;
  issuing: SigningAuthority;
}

async function loadAuthority(stored: StoredAuthority, protector: KeyProtector): Promise<SigningAuthority> {
  const certificate = new x509.X509Certificate(stored.certificatePem);
  const pkcs8 = unsealKey(protector, stored.keySealed);
  const key = await importSigningKey(pkcs8, stored.keyAlgorithm);
  return {
    nodeKey: crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    subjectDer: subjectDerOf(Buffer.from(certificate.rawData)),
    id: stored.id,
    role: stored.role,
    certificate,
    pem: stored.certificatePem,
    key,
    keyAlgorithm: stored.keyAlgorithm,
    authorityKeyIdentifier: await x509.AuthorityKeyIdentifierExtension.create(certificate.publicKey),
  };
}

interface NewCa {
  role: 'root' | 'issuing';
  commonName: string;
  keys: CryptoKeyPair;
  issuer: { name: x509.Name; key: CryptoKey; algorithm: KeyAlgorithm; publicKey: CryptoKey } | null;
  algorithm: KeyAlgorithm;
  now: Date;
  validityDays: number;
}

async function createCaCertificate(ca: NewCa): Promise<x509.X509Certificate> {
  const name = subjectName(ca.commonName, 'Fieldbench');
  const issuer = ca.issuer ?? {
    name,
    key: ca.keys.privateKey,
    algorithm: ca.algorithm,
    publicKey: ca.keys.publicKey,
  };
  const usages =
    x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;
  return x509.X509CertificateGenerator.create({
    serialNumber: newSerial(),
    subject: name,
    issuer: issuer.name,
    notBefore: new Date(ca.now.getTime() - BACKDATE_MS),
    notAfter: new Date(ca.now.getTime() + ca.validityDays * DAY_MS),
    publicKey: ca.keys.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: algorithmSpec(issuer.algorithm).signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, ca.role === 'issuing' ? 0 : undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      await x509.SubjectKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
}

async function toStored(
  protector: KeyProtector,
  role: 'root' | 'issuing',
  cert: x509.X509Certificate,
  keys: CryptoKeyPair,
  algorithm: KeyAlgorithm,
): Promise<StoredAuthority> {
  return {
    id: role,
    role,
    subject: cert.subject,
    serial: cert.serialNumber.toUpperCase(),
    keyAlgorithm: algorithm,
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
    certificatePem: cert.toString('pem') + '\n',
    keySealed: sealKey(protector, await exportPkcs8(keys.privateKey)),
    crlNumber: 0,
    crlPem: null,
    crlNextUpdate: null,
  };
}

/** Loads the local root and issuing CA, creating both on first start. */
export async function loadOrCreateAuthorities(
  repo: PkiRepository,
  protector: KeyProtector,
  algorithm: KeyAlgorithm,
  now: Date,
  logger?: Logger,
): Promise<LocalAuthorities> {
  if (repo.authorities().length === 0) {
    const suffix = crypto.randomBytes(4).toString('hex').toUpperCase();
    const rootKeys = await generateKeyPair(algorithm);
    const root = await createCaCertificate({
      role: 'root',
      commonName: `Fieldbench Local Root CA ${suffix}`,
      keys: rootKeys,
      issuer: null,
      algorithm,
      now,
      validityDays: ROOT_VALIDITY_DAYS,
    });
    const issuingKeys = await generateKeyPair(algorithm);
    const issuing = await createCaCertificate({
      role: 'issuing',
      commonName: `Fieldbench Issuing CA ${suffix}`,
      keys: issuingKeys,
      issuer: { name: root.subjectName, key: rootKeys.privateKey, algorithm, publicKey: rootKeys.publicKey },
      algorithm,
      now,
      validityDays: ISSUING_VALIDITY_DAYS,
    });
    repo.insertAuthorities(
      [
        await toStored(protector, 'root', root, rootKeys, algorithm),
        await toStored(protector, 'issuing', issuing, issuingKeys, algorithm),
      ],
      now.getTime(),
    );
    logger?.info(
      { algorithm, root: root.subject, issuing: issuing.subject },
      'created local certificate authorities',
    );
  }
  const stored = repo.authorities();
  const root = stored.find((a) => a.role === 'root');
  const issuing = stored.find((a) => a.role === 'issuing');
  if (!root || !issuing) throw new Error('PKI store has an incomplete set of authorities');
  return { root: await loadAuthority(root, protector), issuing: await loadAuthority(issuing, protector) };
}
