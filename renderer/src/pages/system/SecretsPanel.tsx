import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';

const PROTECTION: Record<string, string> = {
  'key-file': 'a key file only this user can read, in the data directory',
  'os-keychain': "the operating system's keychain",
  passphrase: 'an operator passphrase (asked for at start, stored nowhere)',
};

/** How private keys and passwords are sealed at rest, with a warning where that seal is weak. */
export function SecretsPanel() {
  const status = useQuery('secrets.status', {});
  const action = useMutation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState(false);
  const s = status.data;
  const changing = s?.protection === 'passphrase';
  const problem =
    next.length < 8
      ? 'At least 8 characters.'
      : next !== repeat
        ? 'The two entries differ.'
        : changing && !current
          ? 'Enter the current passphrase.'
          : undefined;
  const save = async () => {
    if (problem) return;
    const res = await action.run('secrets.setPassphrase', {
      passphrase: next,
      ...(changing ? { currentPassphrase: current } : {}),
    });
    if (res) {
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
      status.reload();
    }
  };
  return (
    <section className="panel" aria-label="Secrets at rest" data-testid="secrets-panel">
      <h2>Secrets at rest</h2>
      <p>
        Private keys and saved passwords are encrypted with a data key sealed by{' '}
        <span data-testid="secrets-protection">{s ? (PROTECTION[s.protection] ?? s.protection) : '…'}</span>.
      </p>
      {s?.fixedPassword ? (
        <p className="field-problem" role="alert" data-testid="secrets-fixed-password">
          Keys are sealed with a fixed password on this desktop: no keyring (such as GNOME Keyring or KWallet)
          is available, so anyone with a copy of the data directory can read them. Install and unlock a
          keyring, or seal the keys with an operator passphrase below.
        </p>
      ) : null}
      {s?.canSetPassphrase ? (
        <form
          className="passphrase-form"
          data-testid="passphrase-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <p className="muted small">
            {changing ? 'Change the passphrase. ' : 'Seal the keys with a passphrase. '}
            Fieldbench asks for it at every start and stores it nowhere: without it the keys cannot be read.
          </p>
          {changing ? (
            <label className="field">
              <span>Current passphrase</span>
              <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} />
            </label>
          ) : null}
          <label className="field">
            <span>New passphrase</span>
            <input type="password" value={next} onChange={(e) => setNext(e.target.value)} />
          </label>
          <label className="field">
            <span>Repeat it</span>
            <input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </label>
          <button type="submit" disabled={!!problem || action.busy} data-testid="passphrase-save">
            {changing ? 'Change passphrase' : 'Use a passphrase'}
          </button>
          {next && problem ? <span className="field-problem">{problem}</span> : null}
          {done ? <span role="status">Passphrase saved.</span> : null}
        </form>
      ) : null}
      <ErrorNote message={action.error ?? status.error} />
    </section>
  );
}
