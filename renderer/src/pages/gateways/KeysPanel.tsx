import { useState } from 'react';
import type { GatewayDevice } from '../../../../preload/contract/gateways';

type Run = <T>(work: () => Promise<T>) => Promise<T | undefined>;

/** A device's public keys: remove, add a PEM, or generate a pair (the private key shown once). */
export function KeysPanel({
  device,
  run,
  call,
}: {
  device: GatewayDevice;
  run: Run;
  call: {
    addKey(pem: string): Promise<unknown>;
    removeKey(keyId: string): Promise<unknown>;
    generateKey(algorithm: 'ES256' | 'RS256'): Promise<{ privateKeyPem: string }>;
  };
}) {
  const [pem, setPem] = useState('');
  const [privateKey, setPrivateKey] = useState<string>();
  const download = privateKey
    ? `data:application/x-pem-file;charset=utf-8,${encodeURIComponent(privateKey)}`
    : '';
  return (
    <section className="gw-section" data-testid="keys-panel">
      <h3>Keys ({device.keys.length}/3)</h3>
      <ul className="gw-keys">
        {device.keys.map((k) => (
          <li key={k.id}>
            <code>{k.algorithm}</code> {k.form}{' '}
            <code title={k.fingerprint}>{k.fingerprint.slice(0, 16)}…</code>{' '}
            {k.expiresAt ? `expires ${new Date(k.expiresAt).toLocaleString()}` : 'no expiry'}{' '}
            <button type="button" onClick={() => run(() => call.removeKey(k.id))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="gw-actions">
        <button
          type="button"
          data-testid="generate-key"
          disabled={device.keys.length >= 3}
          onClick={async () => {
            const generated = await run(() => call.generateKey('ES256'));
            if (generated) setPrivateKey(generated.privateKeyPem);
          }}
        >
          Generate ES256 key pair
        </button>
        <button
          type="button"
          disabled={device.keys.length >= 3}
          onClick={async () => {
            const generated = await run(() => call.generateKey('RS256'));
            if (generated) setPrivateKey(generated.privateKeyPem);
          }}
        >
          Generate RS256 key pair
        </button>
      </div>
      {privateKey ? (
        <div className="gw-private" data-testid="private-key">
          <p>
            The private key is shown this once and not stored.{' '}
            <a href={download} download={`${device.deviceId}.pem`}>
              Download {device.deviceId}.pem
            </a>{' '}
            <button type="button" onClick={() => setPrivateKey(undefined)}>
              Done
            </button>
          </p>
        </div>
      ) : null}
      <textarea
        placeholder="-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----"
        value={pem}
        rows={3}
        onChange={(e) => setPem(e.target.value)}
      />
      <button
        type="button"
        disabled={!pem.trim() || device.keys.length >= 3}
        onClick={async () => {
          if ((await run(() => call.addKey(pem))) !== undefined) setPem('');
        }}
      >
        Add public key
      </button>
    </section>
  );
}
