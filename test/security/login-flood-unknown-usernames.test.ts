import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endAll, tryConnectFrom } from '../helpers/mqtt-client';
import { waitFor } from '../helpers/wait-for';
import {
  addCredential,
  openSecured,
  percentile,
  type RawConnack,
  rawConnect,
  type SecurityFixture,
} from './helpers';

const BOGUS = 1000;
/** Bogus CONNECTs in flight at once while the flood lasts. */
const WINDOW = 100;
const DEVICES = 20;
/** First logins measured on the idle broker in the same run, for comparison (reported, not asserted). */
const IDLE_SAMPLES = 5;
const PER_ADDRESS = 100;
const MAX_QUEUED = 32;

/**
 * Made-up usernames from one address must not tie up the hashing pool: the address is rate-limited
 * whatever the username, the hashes wait in a bounded list, and a real device elsewhere goes first.
 */
describe('a flood of logins with unknown usernames', () => {
  let sf: SecurityFixture;

  before(async () => {
    sf = await openSecured({
      lockout: { maxFailures: 10, windowMs: 60_000, lockMs: 60_000, maxFailuresPerAddress: PER_ADDRESS },
      loginQueue: { maxQueued: MAX_QUEUED },
    });
    for (let i = 0; i < DEVICES; i++) await addCredential(sf, `device-${i}`, `device password ${i}`);
    for (let i = 0; i < IDLE_SAMPLES; i++) await addCredential(sf, `idle-${i}`, `idle password ${i}`);
  });
  after(() => sf.close());

  it('keeps real devices logging in while 1,000 bogus logins arrive from one address', async (t) => {
    const idle: number[] = [];
    for (let i = 0; i < IDLE_SAMPLES; i++) {
      const started = performance.now();
      const outcome = await tryConnectFrom('127.0.0.2', sf.tb.port, {
        clientId: `idle-${i}`,
        username: `idle-${i}`,
        password: `idle password ${i}`,
      });
      idle.push(performance.now() - started);
      assert.ok(outcome.ok, 'an idle login works');
      await endAll(outcome.client);
    }

    // Each bogus login is retried while the server answers "busy", as a flood tool would.
    const bogus: RawConnack[] = [];
    let busy = 0;
    let sent = 0;
    const flood = new Promise<void>((resolve) => {
      const attempt = (i: number): void => {
        rawConnect(sf.tb.port, '127.0.0.1', {
          clientId: `bogus-${i}`,
          username: `nobody-${i}`,
          password: 'guess',
        }).then((result) => {
          if (result.reasonCode === 0x89) {
            busy++;
            attempt(i);
            return;
          }
          bogus.push(result);
          if (bogus.length === BOGUS) resolve();
          else if (sent < BOGUS) attempt(sent++);
        });
      };
      while (sent < WINDOW) attempt(sent++);
    });
    await waitFor(() => bogus.length > 0, 'the first bogus login answered');

    const latencies: number[] = [];
    let duringFlood = 0;
    for (let i = 0; i < DEVICES; i++) {
      const started = performance.now();
      const outcome = await tryConnectFrom('127.0.0.2', sf.tb.port, {
        clientId: `device-${i}`,
        username: `device-${i}`,
        password: `device password ${i}`,
      });
      latencies.push(performance.now() - started);
      if (bogus.length < BOGUS) duringFlood++;
      assert.ok(outcome.ok, `device-${i} logs in during the flood: ${outcome.ok ? '' : outcome.message}`);
      await endAll(outcome.client);
    }
    await flood;

    assert.equal(bogus.filter((r) => r.reasonCode === 0).length, 0, 'no bogus login is accepted');
    const hashed = bogus.filter((r) => r.reasonCode === 0x86).length;
    const limited = bogus.filter(
      (r) => r.reasonCode === 0x87 && /too many failed logins/.test(r.reasonString ?? ''),
    );
    // Under a heavy load some wait in the queue past the broker's connect timeout and are closed.
    const timedOut = bogus.filter((r) => r.reasonCode === 'closed').length;
    assert.equal(
      hashed + limited.length + timedOut,
      BOGUS,
      'each bogus login is refused with a clear reason',
    );
    assert.ok(hashed <= PER_ADDRESS, `at most ${PER_ADDRESS} bogus passwords hashed, not ${hashed}`);
    assert.ok(limited.length > 0, 'the address was rate-limited');
    const queue = sf.fx.tenancy.hashQueue;
    assert.ok(queue.peakQueued <= MAX_QUEUED, `queue bound respected (peak ${queue.peakQueued})`);
    assert.ok(busy > 0 && queue.refused >= busy, 'logins beyond the bound were answered "server busy"');
    t.diagnostic(
      `idle first login p50 ${percentile(idle, 0.5).toFixed(0)} ms; ` +
        `device login during the flood (${duringFlood}/${DEVICES} while it lasted): p50 ${percentile(latencies, 0.5).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 0.99).toFixed(0)} ms; bogus: ${hashed} hashed, ${busy} answered busy (and retried), ${limited.length} rate-limited, ${timedOut} timed out`,
    );
  });
});
