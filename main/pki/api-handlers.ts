import type { pkiMethods } from '../../preload/contract/pki';
import { ApiError } from '../api/api-error';
import type { EventBus } from '../api/event-bus';
import type { Handler, HandlersFor } from '../api/handlers';
import { PkiError } from './errors';
import type { Pki } from './pki';

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
 * UI and broker integrations hear about them) and batch progress to `pki.batchProgress`.
 */
export function createPkiHandlers(pki: Pki, events: EventBus): HandlersFor<PkiMethod> {
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

  const handlers: HandlersFor<PkiMethod> = {
    'pki.listAuthorities': () => ({ authorities: pki.listAuthorities() }),
    'pki.listCertificates': (req) => pki.listCertificates(req),
    'pki.getCertificate': (req) => certificate(req.serial),
    'pki.issueDevice': async (req) => {
      const cert = await pki.issueDeviceCertificate(req);
      changed('certificates');
      return cert;
    },
    'pki.batchIssue': async (req) => {
      const result = await pki.batchIssue(req, (progress) => events.emit('pki.batchProgress', progress));
      changed('certificates');
      return result;
    },
    'pki.issueServer': async (req) => {
      const cert = await pki.issueServerCertificate(req);
      changed('certificates');
      return cert;
    },
    'pki.revoke': (req) => pki.revoke(req.serial, req.reason),
    'pki.crl': () => ({ pem: pki.crlPem(), fileName: 'fieldbench-issuing-ca.crl.pem' }),
    'pki.exportPem': (req) => pki.exportPem(req.serial, { includePrivateKey: req.includePrivateKey }),
    'pki.exportPkcs12': (req) => ({
      base64: pki.exportPkcs12(req.serial, req.password).toString('base64'),
      fileName: `${fileSafe(certificate(req.serial).commonName)}.p12`,
    }),
    'pki.exportBundle': (req) => ({
      base64: pki
        .exportZipBundle(req.serial, {
          host: req.host,
          port: req.port,
          ...(req.topic ? { topic: req.topic } : {}),
        })
        .toString('base64'),
      fileName: `${fileSafe(certificate(req.serial).commonName)}.zip`,
    }),
    'pki.inspect': (req) => pki.inspect(req.pem, req.accountId ? { accountId: req.accountId } : {}),
    'pki.listTenantCas': (req) => ({ cas: pki.listTenantCas(req.accountId) }),
    'pki.startTenantCaRegistration': async (req) => {
      const registration = await pki.startTenantCaRegistration(req.accountId, req.caPem);
      changed('tenantCas');
      return registration;
    },
    'pki.completeTenantCaRegistration': async (req) => {
      const record = await pki.completeTenantCaRegistration(req.id, req.verificationCertPem);
      changed('tenantCas');
      return record;
    },
    'pki.setTenantCaCrl': async (req) => {
      const record = await pki.setTenantCaCrl(req.id, req.crlPem);
      changed('tenantCas');
      return record;
    },
    'pki.removeTenantCa': (req) => {
      pki.removeTenantCa(req.id);
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
