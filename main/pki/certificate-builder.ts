import crypto from 'node:crypto';
import net from 'node:net';
import {
  bitString,
  booleanTrue,
  children,
  explicit,
  implicitPrimitive,
  nullValue,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der';
import { toPem } from './pem';
import { newSerial } from './serial';
import type { SigningAuthority } from './signing-authority';
import type { SubjectAltNames } from './types';
import { x509 } from './x509';

export type LeafProfile = 'device' | 'server';

export interface LeafRequest {
  issuer: SigningAuthority;
  commonName: string;
  /** SubjectPublicKeyInfo DER of the certified key. */
  spki: Buffer;
  profile: LeafProfile;
  notBefore: Date;
  notAfter: Date;
  sans?: SubjectAltNames;
  isRsaKey: boolean;
}

export interface BuiltCertificate {
  serial: string;
  subject: string;
  pem: string;
  der: Buffer;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** A single-attribute subject: building the Name from JSON keeps commas or '=' in names from being parsed as DN syntax. */
export function subjectName(commonName: string, organization?: string): x509.Name {
  const attrs: Record<string, string[]>[] = [{ CN: [commonName] }];
  if (organization) attrs.push({ O: [organization] });
  return new x509.Name(attrs);
}

/** RFC 4514 string form of a CN-only subject, for display and search. */
export function commonNameSubject(commonName: string): string {
  return `CN=${commonName.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])|( )$/g, '\\$1$2')}`;
}

export function fingerprintSha256(der: Buffer): string {
  return crypto.createHash('sha256').update(der).digest('hex').toUpperCase();
}

/** Leaf validity must not outlast the issuing CA. */
export function clampToIssuer(issuer: SigningAuthority, notAfter: Date): Date {
  return notAfter > issuer.certificate.notAfter ? issuer.certificate.notAfter : notAfter;
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

function subjectKeyIdentifier(spki: Buffer): Buffer {
  // RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING contents.
  const bits = children(readElement(spki))[1];
  if (bits?.tag !== 0x03) throw new Error('Malformed SubjectPublicKeyInfo');
  return crypto.createHash('sha1').update(bits.content.subarray(1)).digest();
}

function sanValue(sans: SubjectAltNames): Buffer {
  return sequence(
    ...sans.dnsNames.map((dns) => implicitPrimitive(2, Buffer.from(dns, 'ascii'))),
    ...sans.ipAddresses.map((ip) => implicitPrimitive(7, ipBytes(ip))),
  );
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/** AlgorithmIdentifier of the issuer's signature, and the hash Node's crypto.sign needs. */
function signatureAlgorithm(issuer: SigningAuthority): { identifier: Buffer; hash: string } {
  switch (issuer.keyAlgorithm) {
    case 'ec-p384':
      return { identifier: sequence(objectIdentifier('1.2.840.10045.4.3.3')), hash: 'sha384' };
    case 'ec-p256':
      return { identifier: sequence(objectIdentifier('1.2.840.10045.4.3.2')), hash: 'sha256' };
    default:
      return { identifier: sequence(objectIdentifier('1.2.840.113549.1.1.11'), nullValue()), hash: 'sha256' };
  }
}

/**
 * Assembles and signs a leaf certificate directly in DER. Issuing is the hot path (batches of
 * thousands); this is an order of magnitude cheaper than the generic @peculiar/x509 generator,
 * which the CAs and CRLs still use. The result is checked by openssl in the tests.
 */
export function buildLeafCertificate(req: LeafRequest): BuiltCertificate {
  const serial = newSerial();
  const notBefore = new Date(Math.floor(req.notBefore.getTime() / 1000) * 1000);
  const notAfter = new Date(Math.floor(clampToIssuer(req.issuer, req.notAfter).getTime() / 1000) * 1000);
  const usageBits = req.isRsaKey ? bitString(Buffer.from([0xa0]), 5) : bitString(Buffer.from([0x80]), 7);
  const eku = req.profile === 'server' ? OID.serverAuth : OID.clientAuth;
  const extensions = [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, usageBits),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(eku))),
    extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyIdentifier(req.spki))),
    Buffer.from(req.issuer.authorityKeyIdentifier.rawData),
  ];
  if (req.sans && req.sans.dnsNames.length + req.sans.ipAddresses.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, sanValue(req.sans)));
  }
  const algorithm = signatureAlgorithm(req.issuer);
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(Buffer.from(serial, 'hex')),
    algorithm.identifier,
    req.issuer.subjectDer,
    sequence(time(notBefore), time(notAfter)),
    sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(req.commonName)))),
    req.spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = crypto.sign(algorithm.hash, tbs, req.issuer.nodeKey);
  const der = sequence(tbs, algorithm.identifier, bitString(signature));
  return {
    serial,
    subject: commonNameSubject(req.commonName),
    pem: toPem('CERTIFICATE', der),
    der,
    fingerprintSha256: fingerprintSha256(der),
    notBefore,
    notAfter,
  };
}

/** The exact DER of a certificate's subject Name, so issued certificates name their issuer byte for byte. */
export function subjectDerOf(certificateDer: Buffer): Buffer {
  const tbs = children(readElement(certificateDer))[0];
  if (!tbs) throw new Error('Malformed certificate');
  const fields = children(tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[offset + 4];
  if (!subject) throw new Error('Malformed certificate');
  return Buffer.from(subject.raw);
}
