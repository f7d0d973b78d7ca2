import { useState } from 'react';
import {
  type Account,
  type ConnectionOption,
  connectionOptions,
  type UserCoupling,
} from '../../../../../preload/contract/tenancy';
import { useMutation } from '../../../api/hooks';
import { ErrorNote, PageHeader } from '../../../components';
import { AccountPicker, useAccounts } from '../shared/AccountPicker';
import { accountById, serviceById } from '../shared/store';

const OPTION_TEXT: Record<ConnectionOption, string> = {
  mqtt: 'MQTT over TCP (plain)',
  mqtts: 'MQTT over TLS, password or API key',
  'mqtts-mutual': 'MQTT over TLS with a device certificate',
  ws: 'MQTT over WebSocket (plain)',
  wss: 'MQTT over secure WebSocket',
};

/** Which connection options an account's devices may use, and how devices are coupled to users. */
export function ConnectionSettingsPage() {
  const { accounts, selectedId, error } = useAccounts();
  const account = accountById(accounts, selectedId);
  return (
    <div className="page tn-page" data-testid="tenancy-settings-page">
      <PageHeader title="Connection settings">
        <AccountPicker />
      </PageHeader>
      <ErrorNote message={error} />
      {account ? <Settings key={`${account.id}-${account.updatedAt}`} account={account} /> : null}
    </div>
  );
}

function Settings({ account }: { account: Account }) {
  const { services, accounts, load } = useAccounts();
  const m = useMutation();
  const service = serviceById(services, account.effectiveServiceId);
  const supported = service?.options ?? [];
  const [restrict, setRestrict] = useState(account.connectionOptions !== null);
  const [chosen, setChosen] = useState<Set<ConnectionOption>>(
    () => new Set(account.connectionOptions ?? supported),
  );
  const [coupling, setCoupling] = useState<UserCoupling>(account.userCoupling);
  const owner = accountById(accounts, account.serviceInheritedFrom);
  const dirtyOptions =
    restrict !== (account.connectionOptions !== null) ||
    (restrict && [...chosen].sort().join() !== [...(account.connectionOptions ?? [])].sort().join());

  const saveOptions = async () => {
    const options = restrict ? connectionOptions.filter((o) => chosen.has(o)) : null;
    const r = await m.attempt('accounts.setConnectionOptions', { accountId: account.id, options });
    if (r.ok) await load();
  };

  return (
    <>
      <section className="panel" aria-labelledby="tn-options-title">
        <h2 id="tn-options-title">Connection options</h2>
        <p className="muted tn-hint" style={{ marginTop: 0 }}>
          {service ? (
            <>
              Messaging service <strong>{service.name}</strong>
              {owner ? ` (inherited from ${owner.name})` : ' (assigned to this account)'} offers{' '}
              {supported.length > 0 ? supported.join(', ') : 'no options right now'}.
            </>
          ) : (
            <span className="tn-warn">
              This account has no messaging service, so none of its devices can connect. Assign one on the
              Messaging services page.
            </span>
          )}
        </p>
        <fieldset className="tn-fieldset" disabled={!service}>
          <legend className="muted">Devices of this account may use</legend>
          <label style={{ display: 'block' }}>
            <input
              type="radio"
              name="restrict"
              checked={!restrict}
              onChange={() => setRestrict(false)}
              data-testid="options-all"
            />{' '}
            every option the service offers (follows the service as listeners start and stop)
          </label>
          <label style={{ display: 'block' }}>
            <input
              type="radio"
              name="restrict"
              checked={restrict}
              onChange={() => setRestrict(true)}
              data-testid="options-restrict"
            />{' '}
            only these:
          </label>
          <ul className="tn-options" data-testid="connection-options">
            {connectionOptions.map((o) => {
              const offered = supported.includes(o);
              const why = !service
                ? 'no messaging service'
                : service.kind === 'embedded'
                  ? `the embedded broker has no ${o} listener running`
                  : `service "${service.name}" does not offer it`;
              return (
                <li key={o}>
                  <label className={offered ? '' : 'muted'} title={offered ? undefined : why}>
                    <input
                      type="checkbox"
                      data-testid={`option-${o}`}
                      disabled={!offered || !restrict}
                      checked={offered && (restrict ? chosen.has(o) : true)}
                      onChange={(e) =>
                        setChosen((c) => {
                          const next = new Set(c);
                          if (e.target.checked) next.add(o);
                          else next.delete(o);
                          return next;
                        })
                      }
                    />{' '}
                    <code>{o}</code> — {OPTION_TEXT[o]}
                    {offered ? null : <span className="tn-field-note"> · unavailable: {why}</span>}
                  </label>
                </li>
              );
            })}
          </ul>
        </fieldset>
        <ErrorNote message={m.error} />
        <div className="tn-actions">
          <button
            type="button"
            className="primary"
            disabled={!dirtyOptions || m.busy || !service}
            onClick={() => void saveOptions()}
            data-testid="save-options"
          >
            Save options
          </button>
          <span className="muted tn-field-note">
            Effective now: {account.effectiveConnectionOptions.join(', ') || 'none'}. Devices connected
            through an option you remove are disconnected.
          </span>
        </div>
      </section>
      <section className="panel" aria-labelledby="tn-coupling-title">
        <h2 id="tn-coupling-title">User coupling</h2>
        <fieldset className="tn-fieldset">
          <legend className="muted">
            How a device's client id is tied to the credential it logs in with
          </legend>
          <label style={{ display: 'block' }}>
            <input
              type="radio"
              name="coupling"
              checked={coupling === 'loose'}
              onChange={() => setCoupling('loose')}
              data-testid="coupling-loose"
            />{' '}
            <strong>Loose</strong> — any credential of the account may connect with any client id.
          </label>
          <label style={{ display: 'block' }}>
            <input
              type="radio"
              name="coupling"
              checked={coupling === 'strict'}
              onChange={() => setCoupling('strict')}
              data-testid="coupling-strict"
            />{' '}
            <strong>Strict</strong> — a device is bound to the first credential it used (or the one reserved
            for it); other credentials are refused for that client id.
          </label>
        </fieldset>
        <div className="tn-actions">
          <button
            type="button"
            className="primary"
            disabled={coupling === account.userCoupling || m.busy}
            onClick={async () => {
              const r = await m.attempt('accounts.update', { id: account.id, userCoupling: coupling });
              if (r.ok) await load();
            }}
            data-testid="save-coupling"
          >
            Save coupling
          </button>
          <span className="muted tn-field-note">Per-device overrides are on the Connections page.</span>
        </div>
      </section>
    </>
  );
}
