import { useState } from 'react';
import { useMutation } from '../../api/hooks';
import { storeToken } from '../../api/token';
import { ErrorNote } from '../../components';

/**
 * Rotating the operator token ends every browser session opened with the old one. In the browser this
 * page keeps the new token and reloads with it; the desktop window needs no token.
 */
export function TokenPanel({ headless }: { headless: boolean }) {
  const { run, busy, error } = useMutation();
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState(false);

  const rotate = async () => {
    setConfirming(false);
    const result = await run('system.rotateToken', {});
    if (!result) return;
    setDone(true);
    if (headless) {
      storeToken(result.token);
      location.reload();
    }
  };

  return (
    <section className="panel" data-testid="token-panel">
      <h2>Operator token</h2>
      <p className="muted small">
        The token in the address printed at start-up lets a browser use this Fieldbench. Rotate it if it may
        have leaked: other browser sessions are closed and need the new address (
        <code>fieldbench token rotate</code> does the same from a terminal).
      </p>
      <ErrorNote message={error} />
      {done && !headless ? <p data-testid="token-rotated">Token rotated.</p> : null}
      {confirming ? (
        <div className="brk-form-actions">
          <button type="button" className="primary" onClick={rotate} disabled={busy}>
            Rotate and end other sessions
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} disabled={busy}>
          {busy ? 'Rotating…' : 'Rotate token…'}
        </button>
      )}
    </section>
  );
}
