import type { Draft } from './PublishPanel';

/** The MQTT 5 properties of a message to publish: content type, response topic, expiry, user properties. */
export function Mqtt5Properties({
  draft,
  set,
  problems,
}: {
  draft: Draft;
  set<K extends keyof Draft>(key: K, value: Draft[K]): void;
  problems: Record<string, string>;
}) {
  return (
    <details className="mqtt5-props">
      <summary>MQTT 5 properties</summary>
      <div className="form-grid">
        <label className="field">
          <span>Content type</span>
          <input value={draft.contentType} onChange={(e) => set('contentType', e.target.value)} />
        </label>
        <label className="field">
          <span>Response topic</span>
          <input value={draft.responseTopic} onChange={(e) => set('responseTopic', e.target.value)} />
          {problems.responseTopic ? <span className="field-problem">{problems.responseTopic}</span> : null}
        </label>
        <label className="field">
          <span>Correlation data (text)</span>
          <input value={draft.correlationData} onChange={(e) => set('correlationData', e.target.value)} />
        </label>
        <label className="field">
          <span>Message expiry (s)</span>
          <input value={draft.expiry} inputMode="numeric" onChange={(e) => set('expiry', e.target.value)} />
          {problems.expiry ? <span className="field-problem">{problems.expiry}</span> : null}
        </label>
      </div>
      <div className="user-props">
        <span className="small muted">User properties</span>
        {draft.userProperties.map((u, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: edited in place by position.
          <div className="sub-row" key={i}>
            <input
              value={u.key}
              aria-label={`User property ${i + 1} name`}
              onChange={(e) =>
                set(
                  'userProperties',
                  draft.userProperties.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)),
                )
              }
            />
            <input
              value={u.value}
              aria-label={`User property ${i + 1} value`}
              onChange={(e) =>
                set(
                  'userProperties',
                  draft.userProperties.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)),
                )
              }
            />
            <button
              type="button"
              aria-label={`Remove user property ${i + 1}`}
              onClick={() =>
                set(
                  'userProperties',
                  draft.userProperties.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => set('userProperties', [...draft.userProperties, { key: '', value: '' }])}
        >
          Add user property
        </button>
      </div>
    </details>
  );
}
