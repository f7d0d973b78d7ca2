import { useId, useState } from 'react';
import { tenancyMethods } from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { ErrorNote, FieldError } from '../../../components';
import { fromLocalInput } from '../shared/dates';
import { StrengthMeter } from '../shared/StrengthMeter';
import { passwordProblem, usernameProblem } from './credential-checks';

export function CreateCredential({ accountId, onCreated }: { accountId: string; onCreated(): void }) {
  const m = useMutation();
  const ids = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [touched, setTouched] = useState({ u: false, p: false });
  const uProblem = touched.u ? usernameProblem(username) : undefined;
  const pProblem = touched.p ? passwordProblem(password) : undefined;
  const request = { accountId, username, password, expiresAt: fromLocalInput(expires), enabled };
  const valid =
    tenancyMethods['credentials.create'].request.safeParse(request).success &&
    !usernameProblem(username) &&
    !passwordProblem(password);
  const pastExpiry = request.expiresAt !== null && request.expiresAt <= Date.now();

  return (
    <section className="panel">
      <h2>New credential</h2>
      <form
        className="tn-form-row"
        data-testid="credential-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setTouched({ u: true, p: true });
          if (!valid) return;
          const r = await m.attempt('credentials.create', request);
          if (r.ok) {
            setUsername('');
            setPassword('');
            setExpires('');
            setTouched({ u: false, p: false });
            onCreated();
          }
        }}
      >
        <label>
          Username
          <input
            value={username}
            autoComplete="off"
            data-testid="credential-username"
            aria-invalid={uProblem ? true : undefined}
            aria-describedby={`${ids}-u`}
            onChange={(e) => {
              setUsername(e.target.value);
              setTouched((t) => ({ ...t, u: true }));
            }}
          />
          <FieldError id={`${ids}-u`} message={uProblem} />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            autoComplete="new-password"
            data-testid="credential-password"
            aria-invalid={pProblem ? true : undefined}
            aria-describedby={`${ids}-p ${ids}-s`}
            onChange={(e) => {
              setPassword(e.target.value);
              setTouched((t) => ({ ...t, p: true }));
            }}
          />
          <FieldError id={`${ids}-p`} message={pProblem} />
          <span id={`${ids}-s`}>
            <StrengthMeter password={password} />
          </span>
        </label>
        <label>
          Expires
          <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          <span className="tn-field-note">{pastExpiry ? 'This is in the past.' : 'Empty = never.'}</span>
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6, marginTop: 18 }}>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> enabled
        </label>
        <button type="submit" className="primary" disabled={m.busy} data-testid="credential-create">
          Create credential
        </button>
      </form>
      <ErrorNote message={m.error} />
    </section>
  );
}
