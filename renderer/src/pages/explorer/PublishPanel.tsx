import { useEffect, useState } from 'react';
import type { ExplorerMessage, ExplorerTemplate } from '../../../../preload/contract/explorer';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { Mqtt5Properties } from './Mqtt5Properties';
import { TemplateList } from './TemplateList';
import { useTree } from './tree-store';
import { BASE64_RE, base64ToText, textToBase64, topicNameProblem } from './util';

type Encoding = 'text' | 'json' | 'base64';

export interface Draft {
  topic: string;
  account: string;
  encoding: Encoding;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  contentType: string;
  responseTopic: string;
  correlationData: string;
  expiry: string;
  userProperties: { key: string; value: string }[];
}

const EMPTY: Draft = {
  topic: '',
  account: '',
  encoding: 'text',
  payload: '',
  qos: 0,
  retain: false,
  contentType: '',
  responseTopic: '',
  correlationData: '',
  expiry: '',
  userProperties: [],
};

function problemsOf(d: Draft): Record<string, string> {
  const p: Record<string, string> = {};
  const t = topicNameProblem(d.topic);
  if (t) p.topic = t;
  if (d.encoding === 'json' && d.payload.trim()) {
    try {
      JSON.parse(d.payload);
    } catch (err) {
      p.payload = `Not valid JSON: ${(err as Error).message}`;
    }
  }
  if (d.encoding === 'json' && !d.payload.trim()) p.payload = 'Enter a JSON document.';
  if (d.encoding === 'base64' && !BASE64_RE.test(d.payload.replace(/\s+/g, '')))
    p.payload = 'Not valid base64 (A–Z, a–z, 0–9, +, / and = padding).';
  if (d.responseTopic) {
    const r = topicNameProblem(d.responseTopic);
    if (r) p.responseTopic = r;
  }
  if (d.expiry && !/^\d+$/.test(d.expiry)) p.expiry = 'Seconds, a whole number.';
  return p;
}

function propertiesOf(d: Draft): Record<string, unknown> | undefined {
  const props: Record<string, unknown> = {};
  if (d.contentType) props.contentType = d.contentType;
  if (d.responseTopic) props.responseTopic = d.responseTopic;
  if (d.correlationData) props.correlationData = { base64: textToBase64(d.correlationData) };
  if (d.expiry) props.messageExpiryInterval = Number(d.expiry);
  const users = d.userProperties.filter((u) => u.key);
  if (users.length) props.userProperties = Object.fromEntries(users.map((u) => [u.key, u.value]));
  return Object.keys(props).length ? props : undefined;
}

function payloadOf(d: Draft) {
  if (d.encoding === 'json') return { encoding: 'json' as const, data: JSON.parse(d.payload) as unknown };
  if (d.encoding === 'base64') return { encoding: 'base64' as const, data: d.payload.replace(/\s+/g, '') };
  return { encoding: 'text' as const, data: d.payload };
}

function fromTemplate(t: ExplorerTemplate): Draft {
  const props = (t.properties ?? {}) as Record<string, unknown>;
  const corr = props.correlationData as { base64?: string } | undefined;
  const users = props.userProperties as Record<string, string> | undefined;
  return {
    ...EMPTY,
    topic: t.topic,
    account: t.account ?? '',
    encoding: t.payload.encoding,
    payload:
      t.payload.encoding === 'json' ? JSON.stringify(t.payload.data, null, 2) : String(t.payload.data ?? ''),
    qos: t.qos,
    retain: t.retain,
    contentType: String(props.contentType ?? ''),
    responseTopic: String(props.responseTopic ?? ''),
    correlationData: corr?.base64 ? (base64ToText(corr.base64) ?? '') : '',
    expiry: props.messageExpiryInterval !== undefined ? String(props.messageExpiryInterval) : '',
    userProperties: users ? Object.entries(users).map(([key, value]) => ({ key, value: String(value) })) : [],
  };
}

/** Publishes a message on the selected connection; templates save and reload drafts. */
export function PublishPanel({ from }: { from?: ExplorerMessage }) {
  const connectionId = useTree((s) => s.connectionId);
  const selected = useTree((s) => s.selected);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [touched, setTouched] = useState(false);
  const [templateName, setTemplateName] = useState('');
  const [notice, setNotice] = useState<string>();
  const templates = useQuery('explorer.templates.list', {});
  const action = useMutation();
  const problems = problemsOf(draft);
  const valid = Object.keys(problems).length === 0;

  useEffect(() => {
    if (selected && !touched)
      setDraft((d) => ({
        ...d,
        topic: treeTopic(selected),
        account: /^\$a\/([^/]+)\//.exec(selected)?.[1] ?? '',
      }));
  }, [selected, touched]);

  useEffect(() => {
    if (!from) return;
    const text = from.payload ? base64ToText(from.payload) : undefined;
    setDraft((d) => ({
      ...d,
      topic: from.displayTopic,
      account: from.account ?? '',
      encoding: text !== undefined ? 'text' : 'base64',
      payload: text ?? from.payload ?? '',
      qos: from.qos,
      retain: from.retain,
    }));
  }, [from]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setTouched(true);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const publish = async () => {
    setTouched(true);
    if (!valid) return;
    const props = propertiesOf(draft);
    const ok = await action.run('explorer.publish', {
      connectionId,
      topic: draft.topic,
      ...(draft.account ? { account: draft.account } : {}),
      payload: payloadOf(draft),
      qos: draft.qos,
      retain: draft.retain,
      ...(props ? { properties: props } : {}),
    });
    if (ok) setNotice(`Published to ${draft.topic} at ${new Date().toLocaleTimeString()}.`);
  };

  const saveTemplate = async () => {
    if (!valid || !templateName.trim()) return;
    const props = propertiesOf(draft);
    const saved = await action.run('explorer.templates.save', {
      name: templateName.trim(),
      topic: draft.topic,
      ...(draft.account ? { account: draft.account } : {}),
      payload: payloadOf(draft),
      qos: draft.qos,
      retain: draft.retain,
      ...(props ? { properties: props } : {}),
    });
    if (saved) {
      setNotice(`Template "${saved.name}" saved.`);
      setTemplateName('');
      templates.reload();
    }
  };

  return (
    <section className="panel publish-panel" aria-label="Publish" data-testid="publish-panel">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void publish();
        }}
      >
        <div className="form-grid">
          <label className="field wide">
            <span>Topic</span>
            <input
              value={draft.topic}
              onChange={(e) => set('topic', e.target.value)}
              data-testid="publish-topic"
            />
            {touched && problems.topic ? <span className="field-problem">{problems.topic}</span> : null}
          </label>
          <label className="field">
            <span>Account (local only)</span>
            <input
              value={draft.account}
              onChange={(e) => set('account', e.target.value)}
              placeholder="none"
            />
          </label>
          <label className="field">
            <span>Format</span>
            <select
              value={draft.encoding}
              onChange={(e) => set('encoding', e.target.value as Encoding)}
              data-testid="publish-format"
            >
              <option value="text">Text</option>
              <option value="json">JSON</option>
              <option value="base64">Base64 (binary)</option>
            </select>
          </label>
          <label className="field">
            <span>QoS</span>
            <select value={draft.qos} onChange={(e) => set('qos', Number(e.target.value) as 0 | 1 | 2)}>
              <option value={0}>0</option>
              <option value={1}>1</option>
              <option value={2}>2</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.retain}
              onChange={(e) => set('retain', e.target.checked)}
              data-testid="publish-retain"
            />
            Retain
          </label>
        </div>
        <label className="field">
          <span>Payload</span>
          <textarea
            rows={6}
            className="mono"
            value={draft.payload}
            onChange={(e) => set('payload', e.target.value)}
            data-testid="publish-payload"
            aria-invalid={problems.payload ? true : undefined}
            spellCheck={false}
          />
          {problems.payload && (touched || draft.payload) ? (
            <span className="field-problem">{problems.payload}</span>
          ) : null}
        </label>
        <Mqtt5Properties draft={draft} set={set} problems={problems} />
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={action.busy || (touched && !valid)}
            data-testid="publish"
          >
            Publish
          </button>
          <input
            value={templateName}
            onChange={(e) => setTemplateName(e.target.value)}
            placeholder="Template name"
            aria-label="Template name"
          />
          <button
            type="button"
            onClick={saveTemplate}
            disabled={!valid || !templateName.trim() || action.busy}
          >
            Save as template
          </button>
          {notice ? (
            <span className="muted" role="status" data-testid="publish-notice">
              {notice}
            </span>
          ) : null}
        </div>
        <ErrorNote message={action.error} />
      </form>
      <TemplateList
        templates={templates.data?.templates ?? []}
        onUse={(t) => {
          setDraft(fromTemplate(t));
          setTouched(true);
        }}
        onDelete={async (t) => {
          if (await action.run('explorer.templates.delete', { id: t.id })) templates.reload();
        }}
      />
      <ErrorNote message={templates.error} />
    </section>
  );
}

/** The topic clients see for a tree path (tenant prefix stripped). */
function treeTopic(path: string): string {
  return /^\$a\/[^/]+\//.test(path) ? path.replace(/^\$a\/[^/]+\//, '') : path;
}
