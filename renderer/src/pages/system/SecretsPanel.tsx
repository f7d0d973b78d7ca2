import { useApiQuery } from '../../api/hooks';
import { ErrorNote } from '../../components/ErrorNote';

const PROTECTION: Record<string, string> = {
  'key-file': 'a key file only this user can read, in the data directory',
  'os-keychain': "the operating system's keychain",
  passphrase: 'an operator passphrase (asked for at start, stored nowhere)',
};

/** How private keys and passwords are sealed at rest, with a warning where that seal is weak. */
export function SecretsPanel() {
  const status = useApiQuery('secrets.status', {});
  const s = status.data;
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
          keyring, or seal the keys with an operator passphrase (
          <span className="mono">secrets.setPassphrase</span>).
        </p>
      ) : null}
      <ErrorNote message={status.error} />
    </section>
  );
}
