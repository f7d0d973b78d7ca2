import { useId, useState } from 'react';
import { pkiMethods } from '../../../../preload/contract/pki';
import { useMutation, useQuery } from '../../api/hooks';
import { Dialog, ErrorNote } from '../../components';
import { type IssueDeviceRequest, pkiApi } from './pki-api';
import { type CertificateRecord, type CommonNameStyle, type KeyAlgorithm, keyAlgorithms } from './types';

const CN_MAX = 64;
const NAME_PATTERN = /^[A-Za-z0-9._:@-]+$/;

export interface IssueSettings {
  accountId: string;
  commonNameStyle: CommonNameStyle;
  validityDays: string;
  keyAlgorithm: KeyAlgorithm;
}

export function validitySummary(text: string): string | undefined {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) return 'whole days';
  if (n < 1) return 'at least 1 day';
  if (n > 3650) return 'at most 3650 days (10 years)';
  return undefined;
}

/** The account select, CN convention, validity and key algorithm, shared by the single and batch forms. */
export function IssueSettingsFields({
  value,
  onChange,
  showKey = true,
  exampleName,
}: {
  value: IssueSettings;
  onChange(v: IssueSettings): void;
  showKey?: boolean;
  exampleName: string;
}) {
  const accounts = useQuery('accounts.list', {});
  const id = useId();
  const validityIssue = validitySummary(value.validityDays);
  const account = accounts.data?.accounts.find((a) => a.id === value.accountId);
  const prefixedWithoutAccount = value.commonNameStyle === 'account-prefixed' && !value.accountId;
  // The Insights Hub convention: the account's name (not its id), an underscore, the device name.
  const cn =
    value.commonNameStyle === 'account-prefixed' && account ? `${account.name}_${exampleName}` : exampleName;
  const cnTooLong = cn.length > CN_MAX;
  return (
    <div className="cert-form-grid">
      <div className="brk-field">
        <label htmlFor={`${id}-account`}>Account</label>
        <select
          id={`${id}-account`}
          value={value.accountId}
          onChange={(e) => onChange({ ...value, accountId: e.target.value })}
        >
          <option value="">None (root namespace)</option>
          {accounts.data?.accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.path.join(' / ')}
            </option>
          ))}
        </select>
        {accounts.error ? <span className="brk-field-error">{accounts.error}</span> : null}
      </div>
      <fieldset className="brk-field cert-radio">
        <legend>Common name</legend>
        <label>
          <input
            type="radio"
            name={`${id}-cn`}
            checked={value.commonNameStyle === 'client-id'}
            onChange={() => onChange({ ...value, commonNameStyle: 'client-id' })}
          />{' '}
          the client id
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-cn`}
            checked={value.commonNameStyle === 'account-prefixed'}
            onChange={() => onChange({ ...value, commonNameStyle: 'account-prefixed' })}
          />{' '}
          account name + _ + device name
        </label>
        {prefixedWithoutAccount ? (
          <span className="brk-field-error" role="alert">
            choose an account for account-prefixed names
          </span>
        ) : (
          <span className="muted small">
            CN: <code data-testid="cn-preview">{cn || '…'}</code>
            {value.commonNameStyle === 'account-prefixed' ? ' — devices connect with this as client id' : ''}
          </span>
        )}
        {cnTooLong ? (
          <span className="brk-field-error" role="alert">
            the common name would have {cn.length} characters (at most {CN_MAX})
          </span>
        ) : null}
      </fieldset>
      <div className={`brk-field${validityIssue ? ' invalid' : ''}`}>
        <label htmlFor={`${id}-days`}>Validity (days)</label>
        <input
          id={`${id}-days`}
          inputMode="numeric"
          value={value.validityDays}
          onChange={(e) => onChange({ ...value, validityDays: e.target.value })}
          aria-invalid={validityIssue ? true : undefined}
        />
        {validityIssue ? (
          <span className="brk-field-error" role="alert">
            {validityIssue}
          </span>
        ) : (
          <span className="muted small">
            until {new Date(Date.now() + Number(value.validityDays) * 86_400_000).toLocaleDateString()}
          </span>
        )}
      </div>
      {showKey ? (
        <div className="brk-field">
          <label htmlFor={`${id}-alg`}>Key algorithm</label>
          <select
            id={`${id}-alg`}
            value={value.keyAlgorithm}
            onChange={(e) => onChange({ ...value, keyAlgorithm: e.target.value as KeyAlgorithm })}
          >
            {keyAlgorithms.map((k) => (
              <option key={k} value={k}>
                {k === 'ec-p256' ? 'EC P-256 (recommended)' : k.toUpperCase().replace('-', ' ')}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </div>
  );
}

export function settingsIssues(s: IssueSettings): boolean {
  return !!validitySummary(s.validityDays) || (s.commonNameStyle === 'account-prefixed' && !s.accountId);
}

export const defaultSettings: IssueSettings = {
  accountId: '',
  commonNameStyle: 'client-id',
  validityDays: '365',
  keyAlgorithm: 'ec-p256',
};

/** Issue one device certificate: a key generated here, or a CSR pasted from the device. */
export function IssueWizard({
  onClose,
  onIssued,
}: {
  onClose(): void;
  onIssued(c: CertificateRecord): void;
}) {
  const [source, setSource] = useState<'generate' | 'csr'>('generate');
  const [name, setName] = useState('');
  const [csr, setCsr] = useState('');
  const [settings, setSettings] = useState(defaultSettings);
  const [touched, setTouched] = useState(false);
  const { perform: run, busy, error } = useMutation();
  const id = useId();

  const nameIssue =
    source === 'csr' && name.trim() === ''
      ? undefined // the CSR's CN is used
      : name.trim() === ''
        ? 'a client id or device name is required'
        : !NAME_PATTERN.test(name.trim())
          ? 'letters, digits and . _ - : @ only'
          : name.trim().length > CN_MAX
            ? `at most ${CN_MAX} characters`
            : undefined;
  const csrIssue =
    source === 'csr' &&
    !/-----BEGIN (NEW )?CERTIFICATE REQUEST-----[\s\S]+-----END (NEW )?CERTIFICATE REQUEST-----/.test(csr)
      ? 'paste a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)'
      : undefined;
  const invalid = !!nameIssue || !!csrIssue || settingsIssues(settings);

  const request: IssueDeviceRequest = {
    ...(name.trim() ? { name: name.trim() } : {}),
    accountId: settings.accountId || null,
    commonNameStyle: settings.commonNameStyle,
    validityDays: Number(settings.validityDays),
    ...(source === 'csr' ? { csrPem: csr } : { keyAlgorithm: settings.keyAlgorithm }),
  };
  // The contract's own schema has the last word (limits the checks above do not spell out).
  const parsed = pkiMethods['pki.issueDevice'].request.safeParse(request);
  const contractIssue =
    !invalid && !parsed.success
      ? parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')
      : undefined;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (invalid || contractIssue) return;
    const issued = await run(() => pkiApi.issueDevice(request));
    if (issued) onIssued(issued);
  };

  return (
    <Dialog title="Issue a device certificate" onClose={onClose} testId="issue-dialog">
      <form onSubmit={submit} noValidate className="cert-wizard">
        <fieldset className="cert-radio cert-source">
          <legend>Key pair</legend>
          <label>
            <input
              type="radio"
              name={`${id}-src`}
              checked={source === 'generate'}
              onChange={() => setSource('generate')}
            />{' '}
            Generate the key here (exportable as PEM or PKCS#12)
          </label>
          <label>
            <input
              type="radio"
              name={`${id}-src`}
              checked={source === 'csr'}
              onChange={() => setSource('csr')}
            />{' '}
            The device made its key: paste its CSR
          </label>
        </fieldset>
        {source === 'csr' ? (
          <div className={`brk-field${touched && csrIssue ? ' invalid' : ''}`}>
            <label htmlFor={`${id}-csr`}>CSR (PEM)</label>
            <textarea
              id={`${id}-csr`}
              className="mono"
              rows={6}
              value={csr}
              spellCheck={false}
              onChange={(e) => {
                setCsr(e.target.value);
                setTouched(true);
              }}
              aria-invalid={touched && csrIssue ? true : undefined}
            />
            {touched && csrIssue ? <span className="brk-field-error">{csrIssue}</span> : null}
          </div>
        ) : null}
        <div className={`brk-field${nameIssue && (touched || name) ? ' invalid' : ''}`}>
          <label htmlFor={`${id}-name`}>
            {settings.commonNameStyle === 'account-prefixed' ? 'Device name' : 'Client id'}
          </label>
          <input
            id={`${id}-name`}
            value={name}
            placeholder={source === 'csr' ? "empty = the CSR's common name" : 'sensor-0001'}
            onChange={(e) => {
              setName(e.target.value);
              setTouched(true);
            }}
            aria-invalid={nameIssue && touched ? true : undefined}
            data-autofocus
          />
          {nameIssue && touched ? (
            <span className="brk-field-error" role="alert">
              {nameIssue}
            </span>
          ) : null}
        </div>
        <IssueSettingsFields
          value={settings}
          onChange={setSettings}
          showKey={source === 'generate'}
          exampleName={name.trim() || (source === 'csr' ? '<CN of the CSR>' : 'sensor-0001')}
        />
        {touched && contractIssue ? (
          <span className="brk-field-error" role="alert">
            {contractIssue}
          </span>
        ) : null}
        <ErrorNote message={error} />
        <div className="brk-form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Issuing…' : 'Issue certificate'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
