import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { createBroker } from '../../main/broker';
import { createExplorer, type Explorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { serveBroker } from '../helpers/test-broker';
import { allowAllHooks } from './allow-all-hooks';
import { EventLog, silentLogger, viaContract } from './helpers';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };
const TOPICS = 100_000;

/** Every 10th topic belongs to one of 7 accounts. */
const topicOf = (i: number) => (i % 10 === 0 ? `$a/acct${i % 7}/dev/${i}/v` : `site/${i % 50}/dev/${i}/v`);

/**
 * Longest gap between 5 ms timer ticks: how long the event loop was blocked by this process's own work.
 * A gap counts only as much CPU time as the process used in it, so time the OS gave to other processes on
 * a loaded machine is not blamed on the seeding.
 */
function stallMeter(): { stop(): number } {
  let longest = 0;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    longest = Math.max(longest, Math.min(now - last, cpuMs));
    last = now;
    lastCpu = process.cpuUsage();
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return longest;
    },
  };
}

test('100k stored topics seed the tree in chunks while live traffic flows, counted once', async () => {
  const dir = tempDir();
  const keys = createFileKeyProtector(dir);
  // No $SYS topics: the topic counts below must not depend on how long the run takes.
  const broker = createBroker({ hooks: allowAllHooks, limits: { sysIntervalSeconds: 0 } });
  const server = await serveBroker(broker);
  const open = () => {
    const store = openStore(dir);
    const explorer: Explorer = createExplorer({
      db: store.db,
      events: new EventLog().bus,
      keyProtector: keys,
      logger: silentLogger,
      dataDir: dir,
      broker,
      history: { flushIntervalMs: 60_000, maxQueued: TOPICS * 2 },
    });
    const close = async () => {
      await explorer.close();
      store.close();
    };
    return { explorer, close };
  };
  let run = open();
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, { reconnectPeriod: 0 });
  try {
    // Written through the history pipeline, as the tap would: two messages per topic.
    for (const round of [0, 1]) {
      for (let i = 0; i < TOPICS; i++) {
        run.explorer.service.history.add({
          connectionId: 'local',
          topic: topicOf(i),
          payload: Buffer.from(`{"v":${i},"round":${round}}`),
          qos: 0,
          retain: false,
          time: 1_000 + round,
        });
      }
      run.explorer.service.history.flush();
    }
    await run.close();

    const stalls = stallMeter();
    const started = performance.now();
    run = open();
    const h = viaContract(run.explorer.handlers);
    // Live traffic while seeding runs, on a topic that is (or will be) seeded.
    await h['explorer.view.open']({ connectionId: 'local' }, ctx);
    for (let n = 0; n < 3; n++) await client.publishAsync('site/1/dev/99951/v', `live ${n}`, { qos: 1 });
    const tree = run.explorer.service.existingTree('local');
    // The topic is among the last stored, so it is seeded after the live messages arrived.
    await waitFor(() => tree?.find('site/1/dev/99951/v')?.messages, 'live messages in the tree');
    assert.equal(
      tree?.find('site/1/dev/99951/v')?.messages,
      3,
      'live messages before seeding reached the topic',
    );
    const result = await run.explorer.service.seeded('local');
    const seconds = (performance.now() - started) / 1000;
    const longest = stalls.stop();
    console.log(
      `seeded ${result?.topics} topics in ${seconds.toFixed(2)} s; longest step ${result?.longestStepMs.toFixed(1)} ms, longest event-loop stall ${longest.toFixed(1)} ms`,
    );
    assert.equal(result?.topics, TOPICS);
    assert.ok(longest < 250, `event loop blocked for ${longest.toFixed(0)} ms`);
    assert.ok(seconds < 30, `seeding took ${seconds.toFixed(1)} s`);

    assert.equal(tree?.find('site/1/dev/99951/v')?.messages, 5);
    assert.equal(tree?.find('site/1/dev/99951/v')?.preview, 'live 2');
    assert.equal(tree?.topics, TOPICS);
    assert.equal(tree?.messages, TOPICS * 2 + 3);
    const root = await h['explorer.tree.children'](
      { connectionId: 'local', path: '', offset: 0, limit: 100 },
      ctx,
    );
    assert.deepEqual(
      root.children.filter((c) => c.isAccountGroup).map((c) => [c.name, c.subtreeTopics > 0]),
      [0, 1, 2, 3, 4, 5, 6].map((a) => [`acct${a}`, true]),
    );
    assert.equal(root.children.find((c) => c.path === 'site')?.subtreeTopics, TOPICS * 0.9);
  } finally {
    client.end(true);
    await run.close();
    await server.close();
  }
});
