import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createExplorer, type Explorer } from '../../main/explorer';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore } from '../../main/store';
import { EventLog, makePki, silentLogger, startMosquittoPair, viaContract } from './helpers';
import { mosquittoPubSync } from '../helpers/mosquitto-clients';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const ctx = { transport: 'internal' as const, actor: 'test' };

test('reopening a saved external connection after a restart shows its stored topics; the resent retained value is not a new message', async () => {
  const dir = tempDir();
  const broker = await startMosquittoPair(dir, makePki(tempDir('fb-pki-')));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const keys = createFileKeyProtector(dataDir);
  const open = () => {
    const store = openStore(dataDir);
    const explorer: Explorer = createExplorer({
      db: store.db,
      events: new EventLog().bus,
      keyProtector: keys,
      logger: silentLogger,
      dataDir,
    });
    const close = async () => {
      await explorer.close();
      store.close();
    };
    return { explorer, h: viaContract(explorer.handlers), close };
  };
  let run = open();
  try {
    const { id } = await run.h['explorer.profiles.save'](
      {
        name: 'plain mosquitto',
        protocol: 'mqtt',
        host: '127.0.0.1',
        port: broker.port,
        mqttVersion: 5,
        keepAliveSeconds: 30,
        cleanStart: true,
        insecureSkipVerify: false,
        subscriptions: [{ filter: 'fb/#', qos: 1 }],
      },
      ctx,
    );
    // Retained before subscribing: it arrives with the retain flag, and is stored so.
    mosquittoPubSync(broker.port, ['-t', 'fb/state', '-m', 'on', '-r', '-q', '1']);
    await run.h['explorer.connections.open']({ profileId: id }, ctx);
    await waitFor(() => run.explorer.service.external.get(id)?.state === 'connected', 'connected');
    for (let i = 0; i < 3; i++)
      mosquittoPubSync(broker.port, ['-t', 'fb/temp', '-m', `${20 + i}`, '-q', '1']);
    await waitFor(() => run.explorer.service.existingTree(id)?.messages === 4, 'first-run messages');
    await run.close();

    run = open();
    await run.h['explorer.connections.open']({ profileId: id }, ctx);
    const children = async () =>
      (await run.h['explorer.tree.children']({ connectionId: id, path: 'fb', offset: 0, limit: 10 }, ctx))
        .children;
    const seeded = await children();
    assert.deepEqual(
      seeded.map((c) => [c.path, c.messages, c.preview, c.retained]),
      [
        ['fb/state', 1, 'on', true],
        ['fb/temp', 3, '22', false],
      ],
    );
    await waitFor(() => run.explorer.service.external.get(id)?.state === 'connected', 'connected again');
    // mosquitto sends the retained value again on subscribe; the next live message is the only new one.
    mosquittoPubSync(broker.port, ['-t', 'fb/temp', '-m', '23', '-q', '1']);
    await waitFor(async () => (await children())[1]?.messages === 4, 'live message');
    assert.deepEqual(
      (await children()).map((c) => [c.path, c.messages, c.preview, c.retained]),
      [
        ['fb/state', 1, 'on', true],
        ['fb/temp', 4, '23', false],
      ],
    );
  } finally {
    await run.close();
    await broker.stop();
  }
});
