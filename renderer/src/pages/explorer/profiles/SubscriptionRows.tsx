import type { Form } from './profile-form';

type Subscription = Form['subscriptions'][number];

/** The profile's subscriptions, edited in place, with "apply" for a live connection. */
export function SubscriptionRows({
  subscriptions,
  onChange,
  errors,
  valid,
  busy,
  onApply,
}: {
  subscriptions: Subscription[];
  onChange(next: Subscription[]): void;
  /** `sub<index>` → problem. */
  errors: Record<string, string>;
  valid: boolean;
  busy: boolean;
  /** Present while the profile's connection is live. */
  onApply?(): void;
}) {
  return (
    <fieldset className="subscriptions">
      <legend>Subscriptions</legend>
      {subscriptions.map((s, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place by position.
        <div className="sub-row" key={i}>
          <input
            value={s.filter}
            aria-label={`Subscription ${i + 1} filter`}
            data-testid={`profile-sub-${i}`}
            onChange={(e) =>
              onChange(subscriptions.map((x, j) => (j === i ? { ...x, filter: e.target.value } : x)))
            }
          />
          <select
            value={s.qos}
            aria-label={`Subscription ${i + 1} QoS`}
            onChange={(e) =>
              onChange(
                subscriptions.map((x, j) =>
                  j === i ? { ...x, qos: Number(e.target.value) as 0 | 1 | 2 } : x,
                ),
              )
            }
          >
            <option value={0}>QoS 0</option>
            <option value={1}>QoS 1</option>
            <option value={2}>QoS 2</option>
          </select>
          <button
            type="button"
            aria-label={`Remove subscription ${i + 1}`}
            onClick={() => onChange(subscriptions.filter((_, j) => j !== i))}
          >
            ×
          </button>
          {errors[`sub${i}`] ? <span className="field-problem">{errors[`sub${i}`]}</span> : null}
        </div>
      ))}
      <button type="button" onClick={() => onChange([...subscriptions, { filter: '#', qos: 0 }])}>
        Add subscription
      </button>
      {onApply ? (
        <button type="button" onClick={onApply} disabled={!valid || busy}>
          Apply to live connection
        </button>
      ) : null}
    </fieldset>
  );
}
