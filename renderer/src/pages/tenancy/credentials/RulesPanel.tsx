import { useEffect, useState } from 'react';
import type { AccessRule, Credential } from '../../../../../preload/contract/tenancy';
import { errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';
import { useMutation } from '../../../api/hooks';
import { ErrorNote } from '../../../components';
import { RulesEditor, rulesValid, VariablesHelp } from '../shared/RulesEditor';
import { RuleCheck } from './RuleCheck';

export function RulesPanel({
  accountId,
  credentials,
  target,
  onTarget,
}: {
  accountId: string;
  credentials: Credential[];
  target: string | null;
  onTarget(id: string | null): void;
}) {
  const [rules, setRules] = useState<AccessRule[]>([]);
  const [saved, setSaved] = useState<AccessRule[]>([]);
  const [usesTemplate, setUsesTemplate] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const m = useMutation();
  const credential = credentials.find((c) => c.id === target);

  useEffect(() => {
    let live = true;
    api()
      .call('accessRules.get', { accountId, credentialId: target })
      .then(async (r) => {
        // A credential on the template starts from a copy of it, ready to be made its own.
        const start = r.usesTemplate
          ? (await api().call('accessRules.get', { accountId, credentialId: null })).rules
          : r.rules;
        return { ...r, start };
      })
      .then(
        (r) => {
          if (!live) return;
          setRules(r.start);
          setSaved(r.start);
          setUsesTemplate(r.usesTemplate);
        },
        (err) => live && setLoadError(errorMessage(err)),
      );
    return () => {
      live = false;
    };
  }, [accountId, target]);

  const dirty = JSON.stringify(rules) !== JSON.stringify(saved);

  return (
    <section className="panel" aria-labelledby="tn-rules-title" data-testid="rules-panel">
      <div className="panel-header">
        <h2 id="tn-rules-title">Access rules</h2>
        <label>
          For{' '}
          <select
            value={target ?? ''}
            onChange={(e) => onTarget(e.target.value || null)}
            data-testid="rules-target"
          >
            <option value="">the account's default template</option>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                credential {c.username}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted tn-hint" style={{ marginTop: 0 }}>
        {target === null
          ? 'Credentials without rules of their own use this template. New accounts start with "# publish + subscribe".'
          : usesTemplate
            ? `"${credential?.username ?? ''}" has no rules of its own and uses the account template (shown). Saving makes them its own; saving an empty list returns it to the template.`
            : `"${credential?.username ?? ''}" has its own rules. Save an empty list to return it to the account template.`}
      </p>
      <ErrorNote message={loadError} />
      <RulesEditor rules={rules} onChange={setRules} />
      <ErrorNote message={m.error} />
      <div className="tn-actions">
        <button
          type="button"
          className="primary"
          disabled={!dirty || !rulesValid(rules) || m.busy}
          data-testid="rules-save"
          onClick={async () => {
            const r = await m.attempt('accessRules.set', { accountId, credentialId: target, rules });
            if (r.ok) {
              setRules(r.data.rules);
              setSaved(r.data.rules);
              setUsesTemplate(r.data.usesTemplate);
              setNotice('Saved; applies to the next operation of connected clients.');
            }
          }}
        >
          Save rules
        </button>
        {dirty ? (
          <button type="button" onClick={() => setRules(saved)}>
            Revert
          </button>
        ) : null}
        {notice && !dirty ? (
          <span className="tn-ok" data-testid="rules-saved">
            {notice}
          </span>
        ) : null}
      </div>
      <VariablesHelp />
      {credential ? <RuleCheck credential={credential} /> : null}
    </section>
  );
}
