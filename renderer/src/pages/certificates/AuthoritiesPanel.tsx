import { useId, useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { Dialog, ErrorNote } from '../../components';
import { downloadFile } from './download';
import { colonHex, expiryText, formatDate, shortFingerprint } from './format';
import { pkiApi } from './pki-api';
import { TenantCrlWarnings } from './TenantCrlWarnings';
import type { AuthorityRecord, TenantCaRecord, TenantCaRegistration } from './types';
import { useAccountNames } from './use-account-names';

const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Proof of possession: upload the CA → the one-time code → a verification certificate with that CN. */
function RegisterTenantCa({ onClose, onDone }: { onClose(): void; onDone(): void }) {
  const accounts = useQuery('accounts.list', {});
  const [accountId, setAccountId] = useState('');
  const [caPem, setCaPem] = useState('');
  const [registration, setRegistration] = useState<TenantCaRegistration>();
  const [verification, setVerification] = useState('');
  const [accepted, setAccepted] = useState<TenantCaRecord>();
  const start = useMutation();
  const finish = useMutation();
  const id = useId();
  const caIssue = caPem.trim() && !CERT_PEM.test(caPem) ? 'paste the CA certificate in PEM' : undefined;
  const verificationIssue =
    verification.trim() && !CERT_PEM.test(verification)
      ? 'paste the verification certificate in PEM'
      : undefined;
  const step = accepted ? 3 : registration ? 2 : 1;

  return (
    <Dialog title="Register a tenant CA" onClose={onClose} testId="tenant-ca-dialog" wide>
      <ol className="cert-steps" aria-label="Steps">
        <li aria-current={step === 1 ? 'step' : undefined}>Upload the CA</li>
        <li aria-current={step === 2 ? 'step' : undefined}>Prove possession</li>
        <li aria-current={step === 3 ? 'step' : undefined}>Accepted</li>
      </ol>
      {step === 1 ? (
        <form
          className="cert-wizard"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (!accountId || !CERT_PEM.test(caPem)) return;
            const r = await start.perform(() => pkiApi.startTenantCaRegistration(accountId, caPem));
            if (r) setRegistration(r);
          }}
        >
          <div className="brk-field">
            <label htmlFor={`${id}-acc`}>Account</label>
            <select
              id={`${id}-acc`}
              data-autofocus
              value={accountId}
              onChange={(e) => setAccountId(e.target.value)}
            >
              <option value="">Choose an account…</option>
              {accounts.data?.accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.path.join(' / ')}
                </option>
              ))}
            </select>
            {accounts.data && accounts.data.accounts.length === 0 ? (
              <span className="muted small">No accounts yet: create one on the Accounts page.</span>
            ) : null}
          </div>
          <div className={`brk-field${caIssue ? ' invalid' : ''}`}>
            <label htmlFor={`${id}-ca`}>The account&apos;s CA certificate (PEM)</label>
            <textarea
              id={`${id}-ca`}
              className="mono"
              rows={7}
              value={caPem}
              onChange={(e) => setCaPem(e.target.value)}
              aria-invalid={caIssue ? true : undefined}
            />
            {caIssue ? <span className="brk-field-error">{caIssue}</span> : null}
          </div>
          <ErrorNote message={start.error} />
          <div className="brk-form-actions">
            <button
              type="submit"
              className="primary"
              disabled={start.busy || !accountId || !CERT_PEM.test(caPem)}
            >
              Get a registration code
            </button>
          </div>
        </form>
      ) : null}
      {step === 2 && registration ? (
        <form
          className="cert-wizard"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            if (!CERT_PEM.test(verification)) return;
            const r = await finish.perform(() =>
              pkiApi.completeTenantCaRegistration(registration.id, verification),
            );
            if (r) {
              setAccepted(r);
              onDone();
            }
          }}
        >
          <div className="cert-code">
            <span className="muted small">
              One-time registration code (expires {new Date(registration.expiresAt).toLocaleString()})
            </span>
            <code data-testid="registration-code">{registration.registrationCode}</code>
            <button
              type="button"
              className="small-button"
              onClick={() =>
                void navigator.clipboard?.writeText(registration.registrationCode).catch(() => {})
              }
            >
              Copy
            </button>
          </div>
          <p className="small cert-instructions">{registration.instructions}</p>
          <pre className="mono small cert-snippet">
            {`openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout verification.key \\
  -subj "/CN=${registration.registrationCode}" -out verification.csr
openssl x509 -req -in verification.csr -CA your-ca.pem -CAkey your-ca.key -days 1 -out verification.pem`}
          </pre>
          <div className={`brk-field${verificationIssue ? ' invalid' : ''}`}>
            <label htmlFor={`${id}-ver`}>Verification certificate (PEM)</label>
            <textarea
              id={`${id}-ver`}
              className="mono"
              rows={6}
              value={verification}
              onChange={(e) => setVerification(e.target.value)}
              aria-invalid={verificationIssue ? true : undefined}
            />
            {verificationIssue ? <span className="brk-field-error">{verificationIssue}</span> : null}
          </div>
          <ErrorNote message={finish.error} />
          <div className="brk-form-actions">
            <button type="submit" className="primary" disabled={finish.busy || !CERT_PEM.test(verification)}>
              Verify and accept the CA
            </button>
          </div>
        </form>
      ) : null}
      {step === 3 && accepted ? (
        <div className="cert-wizard">
          <p className="cert-ok" role="status">
            Accepted: devices of account{' '}
            {accounts.data?.accounts.find((a) => a.id === accepted.accountId)?.name ?? accepted.accountId} may
            now connect with certificates issued by <code>{accepted.subject}</code>.
          </p>
          <div className="brk-form-actions">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}

const CRL_PEM = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/;

/** Stores the tenant's own CRL, so the broker refuses the devices that tenant revoked. */
function TenantCrlDialog({ ca, onClose, onDone }: { ca: TenantCaRecord; onClose(): void; onDone(): void }) {
  const [crlPem, setCrlPem] = useState('');
  const { perform: run, busy, error } = useMutation();
  const id = useId();
  const issue =
    crlPem.trim() && !CRL_PEM.test(crlPem) ? 'paste a PEM CRL (-----BEGIN X509 CRL-----)' : undefined;
  return (
    <Dialog title={`Revocation list of ${ca.subject}`} onClose={onClose} testId="tenant-crl-dialog">
      <form
        className="cert-wizard"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (!CRL_PEM.test(crlPem)) return;
          if (await run(() => pkiApi.setTenantCaCrl(ca.id, crlPem))) {
            onDone();
            onClose();
          }
        }}
      >
        <p className="small muted">
          {ca.crlPem ? 'A CRL is stored; a new one replaces it.' : 'No CRL stored yet.'} It must be signed by
          this CA.
        </p>
        <div className={`brk-field${issue ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-crl`}>CRL (PEM)</label>
          <textarea
            id={`${id}-crl`}
            data-autofocus
            className="mono"
            rows={7}
            value={crlPem}
            onChange={(e) => setCrlPem(e.target.value)}
            aria-invalid={issue ? true : undefined}
          />
          {issue ? <span className="brk-field-error">{issue}</span> : null}
        </div>
        <ErrorNote message={error} />
        <div className="brk-form-actions">
          <button type="submit" className="primary" disabled={busy || !CRL_PEM.test(crlPem)}>
            Store CRL
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function AuthorityCard({ a }: { a: AuthorityRecord }) {
  const left = expiryText(a.notAfter);
  return (
    <div className="cert-authority" data-testid="authority">
      <div className="cert-authority-role">{a.role === 'root' ? 'Root CA' : 'Issuing CA'}</div>
      <div className="mono small cert-authority-subject">{a.subject}</div>
      <div className="small muted">
        {a.keyAlgorithm} · {formatDate(a.notBefore)} → {formatDate(a.notAfter)} ({left})
      </div>
      <button
        type="button"
        className="small-button"
        onClick={() =>
          downloadFile(`fieldbench-${a.role}-ca.pem`, { text: a.certificatePem }, 'application/x-pem-file')
        }
      >
        Download PEM
      </button>
    </div>
  );
}

/** The local root and issuing CA, and the tenant CAs registered per account. */
export function AuthoritiesPanel() {
  const { nameOf } = useAccountNames();
  const authorityQuery = useQuery('pki.listAuthorities', {}, { refetchOn: ['pki.changed'] });
  const tenantCaQuery = useQuery('pki.listTenantCas', {}, { refetchOn: ['pki.changed'] });
  const authorities: AuthorityRecord[] = authorityQuery.data?.authorities ?? [];
  const tenantCas: TenantCaRecord[] = tenantCaQuery.data?.cas ?? [];
  const error = authorityQuery.error ?? tenantCaQuery.error;
  const load = () => {
    authorityQuery.reload();
    tenantCaQuery.reload();
  };
  const [registering, setRegistering] = useState(false);
  const [crlFor, setCrlFor] = useState<TenantCaRecord>();
  const remove = useMutation();
  const crl = useMutation();
  const [confirm, setConfirm] = useState<string>();
  const chain = authorities
    .slice()
    .sort((x) => (x.role === 'issuing' ? -1 : 1))
    .map((a) => a.certificatePem.trim())
    .join('\n');

  return (
    <section className="panel cert-authorities" aria-labelledby="cert-auth-title">
      <header className="panel-header">
        <h2 id="cert-auth-title">Authorities</h2>
        <button
          type="button"
          disabled={!chain}
          onClick={() =>
            downloadFile('fieldbench-ca-chain.pem', { text: `${chain}\n` }, 'application/x-pem-file')
          }
        >
          Download CA chain
        </button>
        <button
          type="button"
          onClick={async () => {
            const r = await crl.perform(() => pkiApi.crl());
            if (r) downloadFile(r.fileName, { text: r.pem }, 'application/x-pem-file');
          }}
        >
          Download CRL
        </button>
        <button type="button" onClick={() => setRegistering(true)} data-testid="register-tenant-ca">
          Register tenant CA…
        </button>
      </header>
      <ErrorNote message={error} />
      <ErrorNote message={crl.error} />
      <div className="cert-authority-row">
        {authorities.map((a) => (
          <AuthorityCard key={a.id} a={a} />
        ))}
      </div>
      <h3 className="cert-subhead">Tenant CAs</h3>
      <TenantCrlWarnings cas={tenantCas} nameOf={nameOf} />
      {tenantCas.length === 0 ? (
        <p className="muted small">
          None. An account can bring its own CA: its devices then connect with certificates that CA issued,
          after a proof-of-possession check.
        </p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Account</th>
              <th>Subject</th>
              <th>Status</th>
              <th>Valid until</th>
              <th>SHA-256</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tenantCas.map((ca) => (
              <tr key={ca.id} data-testid="tenant-ca-row">
                <td title={ca.accountId}>{nameOf(ca.accountId)}</td>
                <td className="mono small">{ca.subject}</td>
                <td>
                  <span
                    className={`cert-status cert-status-${ca.status === 'accepted' ? 'active' : 'pending'}`}
                  >
                    {ca.status}
                  </span>
                </td>
                <td>
                  {formatDate(ca.notAfter)} <span className="muted small">({expiryText(ca.notAfter)})</span>
                </td>
                <td className="mono small" title={colonHex(ca.fingerprintSha256)}>
                  {shortFingerprint(ca.fingerprintSha256)}
                </td>
                <td className="cert-row-actions">
                  {ca.status === 'accepted' ? (
                    <button type="button" className="small-button" onClick={() => setCrlFor(ca)}>
                      {ca.crlPem ? 'Replace CRL' : 'Upload CRL'}
                    </button>
                  ) : null}{' '}
                  {confirm === ca.id ? (
                    <>
                      <button
                        type="button"
                        className="danger small-button"
                        onClick={async () => {
                          await remove.perform(() => pkiApi.removeTenantCa(ca.id));
                          setConfirm(undefined);
                          load();
                        }}
                      >
                        Remove — its devices can no longer connect
                      </button>{' '}
                      <button type="button" className="small-button" onClick={() => setConfirm(undefined)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button type="button" className="small-button" onClick={() => setConfirm(ca.id)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote message={remove.error} />
      {crlFor ? <TenantCrlDialog ca={crlFor} onClose={() => setCrlFor(undefined)} onDone={load} /> : null}
      {registering ? <RegisterTenantCa onClose={() => setRegistering(false)} onDone={load} /> : null}
    </section>
  );
}
