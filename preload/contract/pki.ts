import { z } from 'zod';
import { type EventSpec, event, type MethodSpec, method } from './define';

// Operator-API methods and events of the pki capability. Binary exports cross as base64.

export const pkiKeyAlgorithms = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export const pkiRevocationReasons = [
  'unspecified',
  'keyCompromise',
  'caCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
] as const;

const keyAlgorithm = z.enum(pkiKeyAlgorithms);
const serial = z.string().regex(/^[0-9A-Fa-f:]{1,64}$/, 'a hexadecimal serial number');
const pem = z.string().min(1).max(200_000);
const accountId = z.string().min(1).max(128);
const validityDays = z.number().int().min(1).max(3650);
const commonNameStyle = z.enum(['client-id', 'account-prefixed']);

export const pkiCertificateSchema = z.object({
  serial: z.string(),
  kind: z.enum(['server', 'device']),
  commonName: z.string(),
  subject: z.string(),
  accountId: z.string().nullable(),
  keyAlgorithm: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  status: z.enum(['active', 'revoked']),
  revocationReason: z.string().nullable(),
  revokedAt: z.number().nullable(),
  fingerprintSha256: z.string(),
  hasPrivateKey: z.boolean(),
  replacedBy: z.string().nullable(),
  batchId: z.string().nullable(),
  createdAt: z.number(),
  certificatePem: z.string(),
});
export type PkiCertificate = z.infer<typeof pkiCertificateSchema>;

export const pkiAuthoritySchema = z.object({
  id: z.string(),
  role: z.enum(['root', 'issuing']),
  subject: z.string(),
  serial: z.string(),
  keyAlgorithm: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  certificatePem: z.string(),
});

export const pkiTenantCaSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  subject: z.string(),
  fingerprintSha256: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  status: z.enum(['pending', 'accepted']),
  createdAt: z.number(),
  acceptedAt: z.number().nullable(),
  certificatePem: z.string(),
  crlPem: z.string().nullable(),
  crlNextUpdate: z.number().nullable(),
});

const keyInfo = z.object({ type: z.string(), bits: z.number().nullable(), curve: z.string().nullable() });

export const pkiInspectionSchema = z.object({
  items: z.array(
    z.discriminatedUnion('type', [
      z.object({
        type: z.literal('certificate'),
        subject: z.string(),
        issuer: z.string(),
        commonName: z.string().nullable(),
        serial: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        validNow: z.boolean(),
        isCa: z.boolean(),
        selfSigned: z.boolean(),
        subjectAltNames: z.array(z.string()),
        signatureAlgorithm: z.string(),
        key: keyInfo,
        sha1Fingerprint: z.string(),
        sha256Fingerprint: z.string(),
        extensions: z.array(
          z.object({ oid: z.string(), name: z.string(), critical: z.boolean(), value: z.string() }),
        ),
      }),
      z.object({
        type: z.literal('csr'),
        subject: z.string(),
        key: keyInfo,
        signatureValid: z.boolean(),
        subjectAltNames: z.array(z.string()),
      }),
      z.object({ type: z.literal('private-key'), encrypted: z.boolean(), key: keyInfo.nullable() }),
      z.object({ type: z.literal('public-key'), encrypted: z.boolean(), key: keyInfo.nullable() }),
      z.object({
        type: z.literal('crl'),
        issuer: z.string(),
        thisUpdate: z.string(),
        nextUpdate: z.string().nullable(),
        revokedSerials: z.array(z.string()),
      }),
      z.object({ type: z.literal('unknown'), label: z.string(), error: z.string() }),
    ]),
  ),
  chain: z
    .object({
      verified: z.boolean(),
      trustedBy: z.enum(['fieldbench', 'tenant']).nullable(),
      accountId: z.string().nullable(),
      message: z.string(),
    })
    .nullable(),
});

const base64File = z.object({ base64: z.string(), fileName: z.string() });
const empty = z.object({}).strict();

export const pkiMethods = {
  'pki.listAuthorities': method(
    empty,
    z.object({ authorities: z.array(pkiAuthoritySchema) }),
    'The local root and issuing CA.',
  ),
  'pki.listCertificates': method(
    z
      .object({
        kind: z.enum(['server', 'device']).optional(),
        accountId: accountId.optional(),
        status: z.enum(['active', 'revoked']).optional(),
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    z.object({ items: z.array(pkiCertificateSchema), total: z.number().int() }),
    'Issued certificates, newest first, filtered and paged.',
  ),
  'pki.getCertificate': method(
    z.object({ serial }).strict(),
    pkiCertificateSchema,
    'One issued certificate.',
  ),
  'pki.issueDevice': method(
    z
      .object({
        name: z.string().min(1).max(64).optional(),
        accountId: accountId.nullable().optional(),
        commonNameStyle: commonNameStyle.optional(),
        csrPem: pem.optional(),
        keyAlgorithm: keyAlgorithm.optional(),
        validityDays: validityDays.optional(),
      })
      .strict(),
    pkiCertificateSchema,
    'Issues a device (clientAuth) certificate from a CSR, or with a key pair Fieldbench generates and keeps sealed.',
  ),
  'pki.batchIssue': method(
    z
      .object({
        csv: z.string().min(1).max(5_000_000),
        accountId: accountId.nullable().optional(),
        commonNameStyle: commonNameStyle.optional(),
        keyAlgorithm: keyAlgorithm.optional(),
        validityDays: validityDays.optional(),
      })
      .strict(),
    z.object({
      batchId: z.string(),
      issued: z.array(z.object({ serial: z.string(), commonName: z.string() })),
    }),
    'Issues one device certificate per CSV name (first column), reporting pki.batchProgress.',
  ),
  'pki.issueServer': method(
    z
      .object({
        dnsNames: z.array(z.string().min(1).max(253)).max(50).default([]),
        ipAddresses: z.array(z.string().min(1).max(45)).max(50).default([]),
        validityDays: validityDays.optional(),
        keyAlgorithm: keyAlgorithm.optional(),
      })
      .strict(),
    pkiCertificateSchema,
    'Issues a server (serverAuth) certificate for a listener.',
  ),
  'pki.revoke': method(
    z.object({ serial, reason: z.enum(pkiRevocationReasons).default('unspecified') }).strict(),
    pkiCertificateSchema,
    'Revokes a certificate and re-signs the CRL; connected clients using it are dropped.',
  ),
  'pki.crl': method(
    empty,
    z.object({ pem: z.string(), fileName: z.string() }),
    'The issuing CA CRL (PEM), for download.',
  ),
  'pki.exportPem': method(
    z.object({ serial, includePrivateKey: z.boolean().default(false) }).strict(),
    z.object({ certificatePem: z.string(), chainPem: z.string(), privateKeyPem: z.string().nullable() }),
    'Certificate, CA chain and (when asked and held) the private key as PEM.',
  ),
  'pki.exportPkcs12': method(
    z.object({ serial, password: z.string().min(4).max(256) }).strict(),
    base64File,
    'Password-protected PKCS#12 with key, certificate and chain (base64).',
  ),
  'pki.exportBundle': method(
    z
      .object({
        serial,
        /** One of the certificate account's endpoints; or host and port typed in. */
        endpointId: z.string().min(1).max(128).optional(),
        host: z.string().min(1).max(253).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        topic: z.string().min(1).max(1024).optional(),
      })
      .strict(),
    base64File,
    "ZIP with CA chain, certificate, key and a ready mosquitto_pub command (base64), for an endpoint of the account (recorded as the device's provisioning endpoint) or a typed host and port.",
  ),
  'pki.inspect': method(
    z
      .object({
        pem: pem.optional(),
        /** A binary (DER) file, base64-encoded: .der/.cer certificates, CSRs, CRLs, keys. */
        derBase64: z.string().min(1).max(200_000).optional(),
        accountId: accountId.optional(),
      })
      .strict(),
    pkiInspectionSchema,
    "Describes any certificate, chain, CSR, key or CRL and checks the chain against Fieldbench's (and the account's) CAs.",
  ),
  'pki.listTenantCas': method(
    z.object({ accountId: accountId.optional() }).strict(),
    z.object({ cas: z.array(pkiTenantCaSchema) }),
    'Tenant CA certificates, pending and accepted.',
  ),
  'pki.startTenantCaRegistration': method(
    z.object({ accountId, caPem: pem }).strict(),
    z.object({
      id: z.string(),
      registrationCode: z.string(),
      instructions: z.string(),
      expiresAt: z.number(),
    }),
    'Uploads a tenant CA certificate; answers a one-time code to prove possession of its key.',
  ),
  'pki.completeTenantCaRegistration': method(
    z.object({ id: z.string().min(1), verificationCertPem: pem }).strict(),
    pkiTenantCaSchema,
    'Accepts the tenant CA once a certificate with the code as CN, signed by the CA key, is shown.',
  ),
  'pki.setTenantCaCrl': method(
    z.object({ id: z.string().min(1), crlPem: pem }).strict(),
    pkiTenantCaSchema,
    "Stores the tenant's own CRL for an accepted tenant CA.",
  ),
  'pki.removeTenantCa': method(
    z.object({ id: z.string().min(1) }).strict(),
    z.object({}),
    'Removes a tenant CA.',
  ),
} satisfies Record<string, MethodSpec>;

export const pkiEvents = {
  'pki.batchProgress': event(
    z.object({ batchId: z.string(), done: z.number().int(), total: z.number().int() }),
    'latest',
    'Progress of the running batch issue.',
  ),
  'pki.certificateRevoked': event(
    z.object({
      serial: z.string(),
      commonName: z.string(),
      accountId: z.string().nullable(),
      reason: z.string(),
    }),
    'stream',
    'A certificate was revoked.',
  ),
  'pki.changed': event(
    z.object({ what: z.enum(['certificates', 'authorities', 'tenantCas', 'crl']) }),
    'latest',
    'PKI data changed; lists should refresh.',
  ),
} satisfies Record<string, EventSpec>;
