import type { CryptoKey } from './x509';
import crypto from 'node:crypto';
import { algorithmSpec } from './algorithms';
import { newSerial } from './serial';
import type { SigningAuthority } from './signing-authority';
import type { SubjectAltNames } from './types';
import { x509 } from './x509';

export type LeafProfile = 'device' | 'server';

export interface LeafRequest {
  issuer: SigningAuthority;
  commonName: string;
  publicKey: CryptoKey | x509.PublicKey;
  profile: LeafProfile;
  notBefore: Date;
  notAfter: Date;
  sans?: SubjectAltNames;
  isRsaKey: boolean;
}

export interface BuiltCertificate {
  serial: string;
  certificate: x509.X509Certificate;
  pem: string;
  der: Buffer;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** A single-attribute subject: building the Name from JSON keeps commas or '=' in names from being parsed as DN syntax. */
export function subjectName(commonName: string, organization?: string): x509.Name {
  const attrs: Record<string, string[]>[] = [{ CN: [commonName] }];
  if (organization) attrs.push({ O: [organization] });
  return new x509.Name(attrs);
}

export function fingerprintSha256(der: Buffer): string {
  return crypto.createHash('sha256').update(der).digest('hex').toUpperCase();
}

/** Leaf validity must not outlast the issuing CA. */
export function clampToIssuer(issuer: SigningAuthority, notAfter: Date): Date {
  return notAfter > issuer.certificate.notAfter ? issuer.certificate.notAfter : notAfter;
}

function sanExtension(sans: SubjectAltNames): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension([
    ...sans.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...sans.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ]);
}

export async function buildLeafCertificate(req: LeafRequest): Promise<BuiltCertificate> {
  const usages =
    x509.KeyUsageFlags.digitalSignature | (req.isRsaKey ? x509.KeyUsageFlags.keyEncipherment : 0);
  const eku = req.profile === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    new x509.ExtendedKeyUsageExtension([eku]),
    await x509.SubjectKeyIdentifierExtension.create(req.publicKey),
    req.issuer.authorityKeyIdentifier,
  ];
  if (req.sans && (req.sans.dnsNames.length || req.sans.ipAddresses.length))
    extensions.push(sanExtension(req.sans));
  const serial = newSerial();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: subjectName(req.commonName),
    issuer: req.issuer.certificate.subjectName,
    notBefore: req.notBefore,
    notAfter: clampToIssuer(req.issuer, req.notAfter),
    publicKey: req.publicKey,
    signingKey: req.issuer.key,
    signingAlgorithm: algorithmSpec(req.issuer.keyAlgorithm).signing,
    extensions,
  });
  const der = Buffer.from(certificate.rawData);
  return {
    serial,
    certificate,
    pem: certificate.toString('pem') + '\n',
    der,
    fingerprintSha256: fingerprintSha256(der),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}
