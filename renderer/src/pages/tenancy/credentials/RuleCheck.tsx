import { useState } from 'react';
import type { Credential } from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { ErrorNote } from '../../../components';

export function RuleCheck({ credential }: { credential: Credential }) {
  const m = useMutation();
  const [clientId, setClientId] = useState('device-1');
  const [topic, setTopic] = useState('telemetry/device-1/temp');
  const [action, setAction] = useState<'publish' | 'subscribe'>('publish');
  const [answer, setAnswer] = useState<string>();
  return (
    <details className="tn-help">
      <summary>Try a topic</summary>
      <form
        className="tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await m.attempt('accessRules.check', {
            credentialId: credential.id,
            clientId,
            topic,
            action,
          });
          if (r.ok)
            setAnswer(
              r.data.allowed
                ? `Allowed by "${r.data.matchedRule?.filter}" (${r.data.matchedRule?.action})`
                : 'Refused: no rule matches',
            );
        }}
      >
        <label>
          Client id
          <input value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </label>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value as 'publish' | 'subscribe')}>
            <option value="publish">publish</option>
            <option value="subscribe">subscribe</option>
          </select>
        </label>
        <label>
          Topic
          <input className="mono" value={topic} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <button type="submit" disabled={!topic || !clientId}>
          Check
        </button>
      </form>
      {answer ? (
        <p className={answer.startsWith('Allowed') ? 'tn-ok' : 'tn-bad'} data-testid="rule-check-answer">
          {answer}
        </p>
      ) : null}
      <ErrorNote message={m.error} />
    </details>
  );
}
