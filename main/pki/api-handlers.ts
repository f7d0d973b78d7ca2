import type { pkiMethods } from '../../preload/contract/pki';
import { ApiError } from '../api/api-error';
import type { EventBus } from '../api/event-bus';
import type { Handler, HandlersFor } from '../api/handlers';
import { decodeBase64File, derToPem } from './der-input';
import { PkiError } from './errors';
import { bundleTarget } from './bundle-target';
import type { Pki } from './pki';
import type { PkiHandlerDeps } from './tenancy-link';

type PkiMethod = keyof typeof pkiMethods;

/** PKI failures become API errors with the same code; anything else stays an internal error. */
function withApiErrors<M extends PkiMethod>(handler: Handler<M>): Handler<M> {
  return async (request, ctx) => {
    try {
      return await handler(request, ctx);
    } catch (err) {
      if (err instanceof PkiError) throw new ApiError(err.code, err.message, err.details);
      throw err;
    }
  };
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'certificate';
}

/**
 * Operator-API handlers of the PKI. Also forwards revocations to `pki.certificateRevoked` (so the
 * UI and broker integrations hear about them) and batch progress to `pki.batchProgress`. Issuing,
 * revoking, tenant CA changes and key exports go to the audit log.
 */
export function createPkiHandlers(
  pki: Pki,
  events: EventBus,
  deps: PkiHandlerDeps = {},
): HandlersFor<PkiMethod> {
  const audit = deps.audit ?? { record: () => {} };
  pki.onRevoked((cert) => {
    events.emit('pki.certificateRevoked', {
      serial: cert.serial,
      commonName: cert.commonName,
      accountId: cert.accountId,
      reason: cert.revocationReason ?? 'unspecified',
    });
    events.emit('pki.changed', { what: 'certificates' });
  });
  const certificate = (serial: string) => {
    const found = pki.getCertificate(serial);
    if (!found) throw new PkiError('NOT_FOUND', `No certificate with serial ${serial}`);
    return found;
  };
  const changed = (what: 'certificates' | 'tenantCas') => events.emit('pki.changed', { what });
  const certTarget = (cn: string) => `certificate:${cn}`;
  const tenantCaTarget = (accountId: string) => `tenantCa:${accountId}`;

  const handlers: HandlersFor<PkiMethod> = {
    'pki.listAuthorities': () => ({ authorities: pki.listAuthorities() }),
    'pki.listCertificates': (req) => pki.listCertificates(req),
    'pki.getCertificate': (req) => certificate(req.serial),
    'pki.issueDevice': async (req, call) => {
      const cert = await pki.issueDeviceCertificate(req);
      audit.record(call, 'pki.issueDevice', certTarget(cert.commonName), {
        serial: cert.serial,
        accountId: cert.accountId,
        commonNameStyle: req.commonNameStyle ?? 'client-id',
        fromCsr: req.csrPem !== undefined,
        keyAlgorithm: cert.keyAlgorithm,
        notAfter: cert.notAfter,
      });
      changed('certificates');
      return cert;
    },
    'pki.batchIssue': async (req, call) => {
      const result = await pki.batchIssue(req, (progress) => events.emit('pki.batchProgress', progress));
      audit.record(call, 'pki.batchIssue', `batch:${result.batchId}`, {
        accountId: req.accountId ?? null,
        commonNameStyle: req.commonNameStyle ?? 'client-id',
        keyAlgorithm: req.keyAlgorithm ?? 'ec-p256',
        count: result.issued.length,
        commonNames: result.issued.slice(0, 20).map((i) => i.commonName),
      });
      changed('certificates');
      return result;
    },
    'pki.issueServer': async (req) => {
      const cert = await pki.issueServerCertificate(req);
      changed('certificates');
      return cert;
    },
    'pki.revoke': async (req, call) => {
      const cert = await pki.revoke(req.serial, req.reason);
      audit.record(call, 'pki.revoke', certTarget(cert.commonName), {
        serial: cert.serial,
        accountId: cert.accountId,
        reason: req.reason,
      });
      return cert;
    },
    'pki.crl': () => ({ pem: pki.crlPem(), fileName: 'fieldbench-issuing-ca.crl.pem' }),
    'pki.exportPem': (req, call) => {
      const exported = pki.exportPem(req.serial, { includePrivateKey: req.includePrivateKey });
      if (exported.privateKeyPem !== null) {
        const cert = certificate(req.serial);
        audit.record(call, 'pki.exportPrivateKey', certTarget(cert.commonName), {
          serial: cert.serial,
          format: 'pem',
        });
      }
      return exported;
    },
    'pki.exportPkcs12': (req, call) => {
      const cert = certificate(req.serial);
      const base64 = pki.exportPkcs12(req.serial, req.password).toString('base64');
      audit.record(call, 'pki.exportPkcs12', certTarget(cert.commonName), { serial: cert.serial });
      return { base64, fileName: `${fileSafe(cert.commonName)}.p12` };
    },
    'pki.exportBundle': (req, call) => {
      const cert = certificate(req.serial);
      const { endpointId, ...target } = bundleTarget(cert, req, deps.endpointsOf);
      const base64 = pki
        .exportZipBundle(req.serial, { ...target, ...(req.topic ? { topic: req.topic } : {}) })
        .toString('base64');
      if (endpointId && cert.accountId) deps.markProvisioned?.(cert.accountId, cert.commonName, endpointId);
      audit.record(call, 'pki.exportBundle', certTarget(cert.commonName), {
        serial: cert.serial,
        host: target.host,
        port: target.port,
        endpointId: endpointId ?? null,
      });
      return { base64, fileName: `${fileSafe(cert.commonName)}.zip` };
    },
    'pki.inspect': (req) => {
      if ((req.pem === undefined) === (req.derBase64 === undefined)) {
        throw new PkiError('BAD_REQUEST', 'Send either pem (text) or derBase64 (a binary file), not both');
      }
      const text = req.pem ?? derToPem(decodeBase64File(req.derBase64 ?? ''));
      return pki.inspect(text, req.accountId ? { accountId: req.accountId } : {});
    },
    'pki.listTenantCas': (req) => ({ cas: pki.listTenantCas(req.accountId) }),
    'pki.startTenantCaRegistration': async (req, call) => {
      const registration = await pki.startTenantCaRegistration(req.accountId, req.caPem);
      const pending = pki.listTenantCas(req.accountId).find((c) => c.id === registration.id);
      audit.record(call, 'pki.tenantCa.upload', tenantCaTarget(req.accountId), {
        id: registration.id,
        subject: pending?.subject,
        fingerprintSha256: pending?.fingerprintSha256,
      });
      changed('tenantCas');
      return registration;
    },
    'pki.completeTenantCaRegistration': async (req, call) => {
      const record = await pki.completeTenantCaRegistration(req.id, req.verificationCertPem);
      audit.record(call, 'pki.tenantCa.add', tenantCaTarget(record.accountId), {
        id: record.id,
        subject: record.subject,
        fingerprintSha256: record.fingerprintSha256,
      });
      changed('tenantCas');
      return record;
    },
    'pki.setTenantCaCrl': async (req, call) => {
      const record = await pki.setTenantCaCrl(req.id, req.crlPem);
      audit.record(call, 'pki.tenantCa.setCrl', tenantCaTarget(record.accountId), {
        id: record.id,
        subject: record.subject,
        crlNextUpdate: record.crlNextUpdate,
      });
      changed('tenantCas');
      return record;
    },
    'pki.removeTenantCa': (req, call) => {
      const removed = pki.listTenantCas().find((c) => c.id === req.id);
      pki.removeTenantCa(req.id);
      audit.record(call, 'pki.tenantCa.remove', tenantCaTarget(removed?.accountId ?? 'unknown'), {
        id: req.id,
        subject: removed?.subject,
        status: removed?.status,
      });
      changed('tenantCas');
      return {};
    },
  };
  const wrapped = {} as Record<PkiMethod, unknown>;
  for (const name of Object.keys(handlers) as PkiMethod[]) {
    wrapped[name] = withApiErrors(handlers[name] as Handler<typeof name>);
  }
  return wrapped as HandlersFor<PkiMethod>;
}
