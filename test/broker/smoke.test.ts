import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collect, connect, end, startBroker, waitFor } from './helpers';

test('smoke: subscribe, publish QoS 0/1/2, retained (3.1.1 and 5.0)', async () => {
  const tb = await startBroker();
  try {
    for (const protocolVersion of [4, 5] as const) {
      const sub = await connect(tb.url, { protocolVersion });
      const got = collect(sub);
      await sub.subscribeAsync('a/#', { qos: 2 });
      const pub = await connect(tb.url, { protocolVersion });
      await pub.publishAsync('a/b', 'zero', { qos: 0 });
      await pub.publishAsync('a/b', 'one', { qos: 1 });
      await pub.publishAsync('a/b', 'two', { qos: 2 });
      await pub.publishAsync('a/r', 'kept', { qos: 1, retain: true });
      await waitFor(() => got.length === 4);
      assert.deepEqual(
        got.map((m) => m.payload.toString()),
        ['zero', 'one', 'two', 'kept'],
      );
      const late = await connect(tb.url, { protocolVersion });
      const lateGot = collect(late);
      await late.subscribeAsync('a/+', { qos: 1 });
      await waitFor(() => lateGot.length === 1);
      assert.equal(lateGot[0]!.packet.retain, true);
      await pub.publishAsync('a/r', '', { qos: 1, retain: true });
      await end(sub, pub, late);
    }
  } finally {
    await tb.close();
  }
});
