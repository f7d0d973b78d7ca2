import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startTestCore } from '../helpers/test-core';
import { waitFor } from '../helpers/wait-for';

test('messages published to the embedded broker reach the explorer with their MQTT 5 properties and client id', async () => {
  const tc = await startTestCore({ allowAnonymous: true, listeners: { mqttPort: 0 } });
  const { core, call } = tc;
  const port = tc.port('mqtt');
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: 'props-pub',
    protocolVersion: 5,
  });
  try {
    const { viewId } = await call('explorer.view.open', { connectionId: 'local' });
    await client.publishAsync('lab/props', '{"v":1}', {
      qos: 1,
      properties: {
        contentType: 'application/json',
        userProperties: { site: 'north' },
        responseTopic: 'lab/reply',
      },
    });
    const history = await waitFor(async () => {
      const h = await call('explorer.history', { connectionId: 'local', topic: 'lab/props', limit: 10 });
      return h.messages.length > 0 ? h : undefined;
    }, 'the message in explorer history');
    const message = history.messages[0]!;
    assert.equal(message.properties?.contentType, 'application/json');
    assert.equal(message.properties?.responseTopic, 'lab/reply');
    assert.deepEqual(message.properties?.userProperties, { site: 'north' });
    assert.equal(message.clientId, 'props-pub');
    await call('explorer.view.close', { viewId });
  } finally {
    await client.endAsync();
    await core.close();
  }
});
