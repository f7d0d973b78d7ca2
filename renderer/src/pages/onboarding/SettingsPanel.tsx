import { useEffect, useState } from 'react';
import type { OnboardingMode, OnboardingSettingsDto } from '../../../../preload/contract/onboarding';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';

const MODE_TEXT: Record<OnboardingMode, string> = {
  strict: 'strict: client id = certificate common name',
  eu1: 'eu1: client id = <account>_<CN>, CN = agent name; disconnected once after onboarding',
  eu2: 'eu2: client id = CN = <account>_<agent>; DPS registration service',
};

export function SettingsPanel({ accountId }: { accountId: string }) {
  const query = useQuery('onboarding.settings.get', { accountId });
  const [saved, setSaved] = useState<OnboardingSettingsDto>();
  const settings = saved ?? query.data;
  return (
    <section className="panel" aria-labelledby="onb-settings-title">
      <h2 id="onb-settings-title">Onboarding settings</h2>
      <ErrorNote message={query.error} />
      {settings ? <SettingsForm settings={settings} onSaved={setSaved} /> : null}
    </section>
  );
}

function SettingsForm({
  settings,
  onSaved,
}: {
  settings: OnboardingSettingsDto;
  onSaved: (s: OnboardingSettingsDto) => void;
}) {
  const m = useMutation();
  const [mode, setMode] = useState(settings.mode);
  const [delay, setDelay] = useState(String(settings.reconnectDelaySeconds));
  const [apps, setApps] = useState(settings.applications.join(', '));
  useEffect(() => {
    setMode(settings.mode);
    setDelay(String(settings.reconnectDelaySeconds));
    setApps(settings.applications.join(', '));
  }, [settings]);

  const save = async () => {
    const r = await m.run('onboarding.settings.update', {
      accountId: settings.accountId,
      mode,
      reconnectDelaySeconds: Number(delay),
      applications: apps
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    });
    if (r) onSaved(r);
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset className="tn-fieldset">
        <legend className="muted">Mode</legend>
        {(Object.keys(MODE_TEXT) as OnboardingMode[]).map((value) => (
          <label key={value} style={{ display: 'block' }}>
            <input
              type="radio"
              name="onboarding-mode"
              data-testid={`onboarding-mode-${value}`}
              checked={mode === value}
              onChange={() => setMode(value)}
            />{' '}
            {MODE_TEXT[value]}
          </label>
        ))}
      </fieldset>
      <label style={{ display: 'block' }}>
        Reconnect delay (s, 0 for labs){' '}
        <input
          type="number"
          min={0}
          max={86400}
          value={delay}
          data-testid="onboarding-delay"
          onChange={(e) => setDelay(e.target.value)}
        />
      </label>
      <label style={{ display: 'block' }}>
        Registered applications{' '}
        <input value={apps} data-testid="onboarding-apps" onChange={(e) => setApps(e.target.value)} />
      </label>
      <p className="muted" data-testid="onboarding-scope">
        Scope id: {settings.scopeId ? <code>{settings.scopeId}</code> : 'given once a tenant CA is accepted'}
      </p>
      <ErrorNote message={m.error} />
      <button type="submit" disabled={m.busy} data-testid="onboarding-save">
        Save
      </button>
    </form>
  );
}
