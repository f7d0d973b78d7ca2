import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginLimiter } from '../../main/provisioning/login-limiter';

test('the login limiter runs a bounded number of checks, queues a bounded number and refuses the rest', async () => {
  const limiter = new LoginLimiter(2, 3);
  const gates: (() => void)[] = [];
  const started: number[] = [];
  const check = (n: number) => () =>
    new Promise<number>((resolve) => {
      started.push(n);
      gates.push(() => resolve(n));
    });
  const accepted = [1, 2, 3, 4, 5].map((n) => limiter.run(check(n)));
  assert.ok(
    accepted.every((p) => p !== null),
    'two running and three waiting are accepted',
  );
  assert.equal(limiter.run(check(6)), null, 'the sixth is refused without running');
  await Promise.resolve();
  assert.deepEqual(started, [1, 2]);
  assert.deepEqual(limiter.load, { running: 2, waiting: 3 });
  gates.shift()!();
  assert.equal(await accepted[0], 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1, 2, 3], 'a finished check lets the next waiting one run');
  while (gates.length > 0 || started.length < 5) {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all(accepted), [1, 2, 3, 4, 5]);
  assert.deepEqual(limiter.load, { running: 0, waiting: 0 });
});
