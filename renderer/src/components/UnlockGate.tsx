import { type ReactNode, useEffect, useState } from 'react';
import { errorMessage } from '../api/api-call-error';
import { api } from '../api/client';

/**
 * At a start whose keys are sealed with an operator passphrase, asks for it before anything else; the
 * app appears once Fieldbench has unlocked and started. Elsewhere it renders the app straight away.
 */
export function UnlockGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<'checking' | 'locked' | 'open'>('checking');
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    api()
      .call('secrets.status', {})
      .then(
        (s) => setState(s.locked ? 'locked' : 'open'),
        () => setState('open'),
      );
  }, []);

  if (state === 'open') return <>{children}</>;
  if (state === 'checking') return null;
  const unlock = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api().call('secrets.unlock', { passphrase });
      setPassphrase('');
      setState('open');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="gate" data-testid="unlock-gate">
      <h1>Fieldbench is locked</h1>
      <p>The keys of this installation are sealed with an operator passphrase. Enter it to start.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void unlock();
        }}
      >
        <label className="field">
          <span>Passphrase</span>
          <input
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            data-testid="unlock-passphrase"
          />
        </label>
        <button type="submit" className="primary" disabled={!passphrase || busy} data-testid="unlock-submit">
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
      {error ? (
        <p className="field-problem" role="alert" data-testid="unlock-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
