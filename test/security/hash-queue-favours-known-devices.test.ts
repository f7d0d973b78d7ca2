import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUSY, HashQueue } from '../../main/tenancy/hash-queue';

/** A job that finishes when the test says so, recording the order jobs started in. */
function gate(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<string>((resolve) => {
    release = () => resolve(name);
  });
  const job = () => {
    started.push(name);
    return done;
  };
  return { job, release: () => release() };
}

describe('the password-hash queue', () => {
  it('bounds what waits, answers BUSY beyond it, and lets known devices go first', async () => {
    const queue = new HashQueue({ concurrency: 1, maxQueued: 2 });
    const started: string[] = [];
    const running = gate(started, 'running');
    const first = queue.run('low', running.job);
    const lows = ['low-1', 'low-2'].map((n) => {
      const g = gate(started, n);
      return { g, result: queue.run('low', g.job) };
    });
    assert.equal(await queue.run('low', gate(started, 'low-3').job), BUSY, 'beyond the bound: busy at once');

    const known = gate(started, 'known');
    const knownResult = queue.run('high', known.job);
    assert.equal(await lows[1]!.result, BUSY, 'the newest low job gave its place up');
    assert.equal(queue.queued, 2);
    assert.equal(queue.peakQueued, 2);

    running.release();
    assert.equal(await first, 'running');
    known.release();
    assert.equal(await knownResult, 'known');
    lows[0]!.g.release();
    assert.equal(await lows[0]!.result, 'low-1');
    assert.deepEqual(started, ['running', 'known', 'low-1'], 'the known device went first');
    assert.equal(queue.refused, 2);
  });

  it('keeps a slot for known devices: bogus hashes never fill every slot', async () => {
    const queue = new HashQueue({ concurrency: 2, maxQueued: 10 });
    const started: string[] = [];
    const bogus = [gate(started, 'bogus-1'), gate(started, 'bogus-2')];
    const bogusResults = bogus.map((g) => queue.run('low', g.job));
    assert.deepEqual(started, ['bogus-1'], 'the second bogus hash waits though a slot is free');
    const known = gate(started, 'known');
    const knownResult = queue.run('high', known.job);
    assert.deepEqual(started, ['bogus-1', 'known'], 'the known device starts at once');
    known.release();
    assert.equal(await knownResult, 'known');
    bogus[0]!.release();
    assert.equal(await bogusResults[0], 'bogus-1');
    bogus[1]!.release();
    assert.equal(await bogusResults[1], 'bogus-2');
  });
});
