import { useState } from 'react';
import type { ExplorerProfile } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote, useContractForm } from '../../components';
import { refreshConnections, useConnections } from './connections-store';
import { ProfileFields } from './profiles/ProfileFields';
import { ProfileList } from './profiles/ProfileList';
import {
  EMPTY,
  type Form,
  fromProfile,
  PROFILE_MESSAGES,
  profileFieldOf,
  profileFormSchema,
  toInput,
} from './profiles/profile-form';
import { SubscriptionRows } from './profiles/SubscriptionRows';
import { downloadBlob } from './util';

/** Saved connection profiles: edit, test-connect, import from a URL, export without secrets. */
export function ProfileEditor({
  onOpened,
  onOpenFailed,
}: {
  onOpened(connectionId: string): void;
  /** Returns true when it showed the error itself. */
  onOpenFailed(err: unknown): boolean;
}) {
  const profiles = useQuery('explorer.profiles.list', {});
  const [hasKey, setHasKey] = useState(false);
  const form = useContractForm<Form, ReturnType<typeof profileFormSchema>>({
    schema: profileFormSchema(hasKey),
    initial: EMPTY,
    toRequest: toInput,
    fieldOf: profileFieldOf,
    messages: PROFILE_MESSAGES,
  });
  const action = useMutation();
  const opener = useMutation();
  const [notice, setNotice] = useState<string>();
  const [openMessage, setOpenMessage] = useState<string>();
  const connections = useConnections((s) => s.connections);
  const draft = form.draft;

  const show = (next: Form) => {
    form.reset(next);
    setHasKey(next.hasKey);
    setOpenMessage(undefined);
  };

  const save = async (): Promise<ExplorerProfile | undefined> => {
    const request = form.submit();
    if (!request) return undefined;
    const saved = await action.run('explorer.profiles.save', toInput(draft));
    if (saved) {
      show(fromProfile(saved));
      setNotice(`Saved "${saved.name}".`);
      profiles.reload();
    }
    return saved;
  };

  const openProfile = async (saved: ExplorerProfile) => {
    setNotice(`Connecting to ${saved.host}:${saved.port}…`);
    setOpenMessage(undefined);
    const outcome = await opener.attempt('explorer.connections.open', { profileId: saved.id });
    void refreshConnections();
    if (outcome.ok) {
      setNotice(`Connected to ${saved.name}.`);
      onOpened(outcome.data.id);
      return;
    }
    setNotice(undefined);
    opener.clearError();
    onOpened(saved.id);
    // A structured connection error is shown by the connections bar; anything else here.
    if (!onOpenFailed(outcome.error)) setOpenMessage(errorMessage(outcome.error));
  };

  const live = connections.find((c) => c.id === draft.id && c.state === 'connected');
  const applySubscriptions = async () => {
    if (!live) return;
    const info = await action.run('explorer.subscriptions.set', {
      connectionId: live.id,
      subscriptions: draft.subscriptions,
      persist: true,
    });
    if (info) setNotice(`Subscriptions of ${live.name} updated.`);
  };

  const importUrl = async (url: string) => {
    const saved = await action.run('explorer.profiles.importUrl', { url });
    if (!saved) return false;
    show(fromProfile(saved));
    profiles.reload();
    setNotice(`Imported "${saved.name}".`);
    return true;
  };

  const exportAll = async () => {
    const res = await action.run('explorer.profiles.export', {});
    if (res) downloadBlob('fieldbench-profiles.json', res.json, 'application/json');
  };

  const remove = async () => {
    if (!draft.id) return;
    if (!window.confirm(`Delete the profile "${draft.name}"?`)) return;
    const ok = await action.run('explorer.profiles.delete', { profileId: draft.id });
    if (ok) {
      show(EMPTY);
      profiles.reload();
      void refreshConnections();
    }
  };

  const busy = action.busy || opener.busy;
  return (
    <section className="panel profile-editor" aria-label="Connection profiles" data-testid="profile-editor">
      <ProfileList
        profiles={profiles.data?.profiles ?? []}
        error={profiles.error}
        selectedId={draft.id}
        connections={connections}
        busy={busy}
        onSelect={(p) => show(fromProfile(p))}
        onNew={() => show(EMPTY)}
        onConnect={(p) => void openProfile(p)}
        onImport={importUrl}
        onExport={() => void exportAll()}
      />
      <form
        className="profile-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const saved = await save();
          if (saved) await openProfile(saved);
        }}
      >
        <ProfileFields form={form} />
        <SubscriptionRows
          subscriptions={draft.subscriptions}
          onChange={(next) => form.set('subscriptions', next)}
          errors={form.errors}
          valid={form.valid}
          busy={busy}
          onApply={live ? () => void applySubscriptions() : undefined}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} data-testid="profile-connect">
            Save and connect
          </button>
          <button type="button" onClick={() => void save()} disabled={busy} data-testid="profile-save">
            Save
          </button>
          {draft.id ? (
            <button type="button" onClick={remove} disabled={busy}>
              Delete
            </button>
          ) : null}
          {notice ? (
            <span className="muted" role="status">
              {notice}
            </span>
          ) : null}
        </div>
        <ErrorNote message={action.error ?? openMessage} />
      </form>
    </section>
  );
}
