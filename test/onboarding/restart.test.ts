import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { OnboardingBench } from './setup';

const dir = tempDir();
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a restart keeps onboarding settings, agents, their states and timelines', async () => {
  const before = new OnboardingBench(dir);
  await before.start();
  await before.createTenants();
  await before.waitForTrust('acme');
  const settings = await before.call('onboarding.settings.update', {
    accountId: before.accounts.acme,
    mode: 'eu1',
    reconnectDelaySeconds: 3600,
    applications: ['amo_v3', 'mc_v1'],
  });
  const cert = before.issue('acme', 'Agent01');
  const first = await before.connectAgent('acme_Agent01', cert);
  await new Promise((resolve) => first.once('disconnect', resolve));
  await waitFor(async () => {
    const { events } = await before.call('onboarding.agents.timeline', {
      accountId: before.accounts.acme,
      clientId: 'acme_Agent01',
    });
    return events.some((e) => e.kind === 'disconnected');
  }, 'the onboarding disconnect on the timeline');
  const agentsBefore = (await before.call('onboarding.agents.list', { accountId: before.accounts.acme }))
    .agents;
  const timelineBefore = await before.call('onboarding.agents.timeline', {
    accountId: before.accounts.acme,
    clientId: 'acme_Agent01',
  });
  await before.stop();

  const afterRestart = new OnboardingBench(dir);
  await afterRestart.start();
  afterRestart.loadTenants(before.accounts, before.cas);
  try {
    assert.deepEqual(
      await afterRestart.call('onboarding.settings.get', { accountId: before.accounts.acme }),
      settings,
    );
    const agents = (await afterRestart.call('onboarding.agents.list', { accountId: before.accounts.acme }))
      .agents;
    assert.equal(agents.length, 1);
    assert.deepEqual(
      agents.map(({ connected: _, ...rest }) => rest),
      agentsBefore.map(({ connected: _, ...rest }) => rest),
    );
    assert.equal(agents[0]?.state, 'awaiting-reconnect');
    await afterRestart.waitForTrust('acme');
    // Still inside the delay: the restart did not reset it.
    await assert.rejects(
      afterRestart.connectAgent('acme_Agent01', cert),
      (err: Error & { code?: number }) => {
        assert.equal(err.code, 0x9f, err.message);
        return true;
      },
    );
    const timeline = await afterRestart.call('onboarding.agents.timeline', {
      accountId: before.accounts.acme,
      clientId: 'acme_Agent01',
    });
    assert.deepEqual(timeline.events.slice(0, timelineBefore.events.length), timelineBefore.events);
    assert.equal(timeline.events.at(-1)?.kind, 'reconnect-refused');
  } finally {
    await afterRestart.stop();
  }
});
