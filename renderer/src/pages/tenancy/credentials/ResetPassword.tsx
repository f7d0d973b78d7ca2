import { useId, useState } from 'react';
import type { Credential } from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { Dialog, ErrorNote, FieldError } from '../../../components';
import { StrengthMeter } from '../shared/StrengthMeter';
import { passwordProblem } from './credential-checks';

export function ResetPassword({
  credential,
  onClose,
  onDone,
}: {
  credential: Credential | undefined;
  onClose(): void;
  onDone(): void;
}) {
  const m = useMutation();
  const [password, setPassword] = useState('');
  const id = useId();
  const problem = password ? passwordProblem(password) : undefined;
  return (
    <Dialog
      open={!!credential}
      title={`New password for "${credential?.username ?? ''}"`}
      onClose={() => {
        setPassword('');
        m.setError(undefined);
        onClose();
      }}
    >
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!credential || passwordProblem(password)) return;
          const r = await m.attempt('credentials.setPassword', { id: credential.id, password });
          if (r.ok) {
            setPassword('');
            onDone();
            onClose();
          }
        }}
      >
        <p className="muted">
          Clients already connected stay connected; the next login needs the new password.
        </p>
        <input
          type="password"
          autoComplete="new-password"
          aria-label="New password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={id}
          aria-invalid={problem ? true : undefined}
          style={{ width: '100%' }}
        />
        <FieldError id={id} message={problem} />
        <StrengthMeter password={password} />
        <ErrorNote message={m.error} />
        <div className="tn-actions" style={{ justifyContent: 'flex-end' }}>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!password || !!problem || m.busy}>
            Set password
          </button>
        </div>
      </form>
    </Dialog>
  );
}
