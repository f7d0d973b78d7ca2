import crypto from 'node:crypto';
import { verifyPath, type TrustAnchor } from './chain-verifier';
import { commonNameOf } from './csr';
import { type PemBlock, splitPem } from './pem';
import { normalizeSerial } from './serial';
import { x509 } from './x509';

export interface KeyInfo {
  type: string;
  bits: number | null;
  curve: string | null;
}

export interface ExtensionInfo {
  oid: string;
  name: string;
  critical: boolean;
  value: string;
}

export interface InspectedCertificate {
  type: 'certificate';
  subject: string;
  issuer: string;
  commonName: string | null;
  serial: string;
  notBefore: string;
  notAfter: string;
  validNow: boolean;
  isCa: boolean;
  selfSigned: boolean;
  subjectAltNames: string[];
  signatureAlgorithm: string;
  key: KeyInfo;
  sha1Fingerprint: string;
  sha256Fingerprint: string;
  extensions: ExtensionInfo[];
}

export interface InspectedCsr {
  type: 'csr';
  subject: string;
  key: KeyInfo;
  signatureValid: boolean;
  subjectAltNames: string[];
}

export interface InspectedKey {
  type: 'private-key' | 'public-key';
  encrypted: boolean;
  key: KeyInfo | null;
}

export interface InspectedCrl {
  type: 'crl';
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  revokedSerials: string[];
}

export interface InspectedUnknown {
  type: 'unknown';
  label: string;
  error: string;
}

export type InspectedItem =
  | InspectedCertificate
  | InspectedCsr
  | InspectedKey
  | InspectedCrl
  | InspectedUnknown;

export interface ChainCheck {
  verified: boolean;
  trustedBy: 'fieldbench' | 'tenant' | null;
  accountId: string | null;
  message: string;
}

export interface Inspection {
  items: InspectedItem[];
  /** Whether the first certificate chains (with the others as intermediates) to a trusted CA; null without certificates. */
  chain: ChainCheck | null;
}

const EXTENSION_NAMES: Record<string, string> = {
  '2.5.29.19': 'basicConstraints',
  '2.5.29.15': 'keyUsage',
  '2.5.29.37': 'extendedKeyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.31': 'cRLDistributionPoints',
  '1.3.6.1.5.5.7.1.1': 'authorityInfoAccess',
  '2.5.29.32': 'certificatePolicies',
  '2.5.29.20': 'cRLNumber',
};

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

const KEY_USAGE_NAMES: [number, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function keyInfo(key: crypto.KeyObject): KeyInfo {
  const details = key.asymmetricKeyDetails ?? {};
  const curve = details.namedCurve ? (CURVE_NAMES[details.namedCurve] ?? details.namedCurve) : null;
  const curveBits = curve ? Number(/\d+/.exec(curve)?.[0] ?? 0) || null : null;
  return {
    type: (key.asymmetricKeyType ?? 'unknown').toUpperCase(),
    bits: details.modulusLength ?? curveBits,
    curve,
  };
}

function algorithmName(algorithm: object): string {
  const alg = algorithm as { name?: string; hash?: unknown };
  const hash = alg.hash as { name?: string } | string | undefined;
  const hashName = typeof hash === 'string' ? hash : hash?.name;
  return hashName ? `${alg.name} with ${hashName}` : (alg.name ?? 'unknown');
}

function sanList(ext: x509.Extension | null): string[] {
  if (!(ext instanceof x509.SubjectAlternativeNameExtension)) return [];
  return (ext?.names.items ?? []).map((n) => `${n.type.toUpperCase()}:${n.value}`);
}

function extensionValue(ext: x509.Extension): string {
  if (ext instanceof x509.BasicConstraintsExtension) {
    return `CA:${ext.ca ? 'TRUE' : 'FALSE'}${ext.pathLength !== undefined ? `, pathlen:${ext.pathLength}` : ''}`;
  }
  if (ext instanceof x509.KeyUsagesExtension) {
    return KEY_USAGE_NAMES.filter(([flag]) => ext.usages & flag)
      .map(([, name]) => name)
      .join(', ');
  }
  if (ext instanceof x509.ExtendedKeyUsageExtension) {
    return ext.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)).join(', ');
  }
  if (ext instanceof x509.SubjectAlternativeNameExtension) return sanList(ext).join(', ');
  if (ext instanceof x509.SubjectKeyIdentifierExtension) return ext.keyId.toUpperCase();
  if (ext instanceof x509.AuthorityKeyIdentifierExtension) return (ext.keyId ?? '').toUpperCase();
  return Buffer.from(ext.value).toString('hex').toUpperCase();
}

function inspectCertificate(
  block: PemBlock,
  now: Date,
): { item: InspectedCertificate; cert: x509.X509Certificate } {
  const cert = new x509.X509Certificate(block.der);
  const node = new crypto.X509Certificate(block.der);
  const item: InspectedCertificate = {
    type: 'certificate',
    subject: cert.subject,
    issuer: cert.issuer,
    commonName: commonNameOf(cert.subjectName) ?? null,
    serial: normalizeSerial(cert.serialNumber),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    validNow: now >= cert.notBefore && now <= cert.notAfter,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca === true,
    selfSigned: cert.subject === cert.issuer && node.checkIssued(node),
    subjectAltNames: sanList(cert.getExtension(x509.SubjectAlternativeNameExtension)),
    signatureAlgorithm: algorithmName(cert.signatureAlgorithm),
    key: keyInfo(node.publicKey),
    sha1Fingerprint: node.fingerprint,
    sha256Fingerprint: node.fingerprint256,
    extensions: cert.extensions.map((ext) => ({
      oid: ext.type,
      name: EXTENSION_NAMES[ext.type] ?? ext.type,
      critical: ext.critical,
      value: extensionValue(ext),
    })),
  };
  return { item, cert };
}

async function inspectCsr(block: PemBlock): Promise<InspectedCsr> {
  const csr = new x509.Pkcs10CertificateRequest(block.der);
  const key = crypto.createPublicKey({
    key: Buffer.from(csr.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  return {
    type: 'csr',
    subject: csr.subject,
    key: keyInfo(key),
    signatureValid: await csr.verify().catch(() => false),
    subjectAltNames: sanList(
      csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) ?? null,
    ),
  };
}

function inspectKey(block: PemBlock): InspectedKey {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return { type: 'private-key', encrypted: true, key: null };
  if (block.label === 'PUBLIC KEY' || block.label === 'RSA PUBLIC KEY') {
    return { type: 'public-key', encrypted: false, key: keyInfo(crypto.createPublicKey(block.text)) };
  }
  const encrypted = /Proc-Type: 4,ENCRYPTED/.test(block.text);
  if (encrypted) return { type: 'private-key', encrypted: true, key: null };
  // Only the public half is reported; the private key itself is never echoed back.
  return { type: 'private-key', encrypted: false, key: keyInfo(crypto.createPrivateKey(block.text)) };
}

function inspectCrl(block: PemBlock): InspectedCrl {
  const crl = new x509.X509Crl(block.der);
  return {
    type: 'crl',
    issuer: crl.issuer,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    revokedSerials: crl.entries.map((e) => normalizeSerial(e.serialNumber)),
  };
}

/** Describes every PEM object in a text and checks whether the first certificate chains to `anchors`. */
export async function inspectPem(
  text: string,
  anchors: readonly TrustAnchor[],
  at: Date,
): Promise<Inspection> {
  const items: InspectedItem[] = [];
  const certs: x509.X509Certificate[] = [];
  for (const block of splitPem(text)) {
    try {
      if (block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE') {
        const { item, cert } = inspectCertificate(block, at);
        items.push(item);
        certs.push(cert);
      } else if (block.label.endsWith('CERTIFICATE REQUEST')) {
        items.push(await inspectCsr(block));
      } else if (block.label.endsWith('KEY')) {
        items.push(inspectKey(block));
      } else if (block.label === 'X509 CRL') {
        items.push(inspectCrl(block));
      } else {
        items.push({ type: 'unknown', label: block.label, error: 'Unsupported PEM type' });
      }
    } catch (err) {
      items.push({ type: 'unknown', label: block.label, error: (err as Error).message });
    }
  }
  const [leaf, ...rest] = certs;
  if (!leaf) return { items, chain: null };
  const result = await verifyPath(leaf, rest, anchors, at);
  const chain: ChainCheck = result.ok
    ? {
        verified: true,
        trustedBy: result.anchor.source,
        accountId: result.anchor.accountId,
        message: `Chains to ${result.anchor.certificate.subject}`,
      }
    : { verified: false, trustedBy: null, accountId: null, message: result.message };
  return { items, chain };
}
