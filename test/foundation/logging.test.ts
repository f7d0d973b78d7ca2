import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, REDACTED, Secret } from '../../main/log';
import { tempDir } from '../helpers/temp-dir';

test('secrets never reach the log file or the in-memory tail', () => {
  const dir = tempDir();
  const { logger, ring, close } = createLogger({ level: 'debug', dir });
  logger.info({ password: 'hunter2-pw', user: 'alice' }, 'login attempt');
  logger.info({ profile: { token: 'tok-123456', host: 'h' } }, 'profile saved');
  logger.info({ tls: { ca: { privateKey: '-----BEGIN PRIVATE KEY-----abc' } } }, 'ca created');
  logger.info({ wrapped: new Secret('s3cr3t-value') }, 'wrapped secret');
  close();
  const text = fs.readFileSync(path.join(dir, 'fieldbench.log'), 'utf8');
  for (const secret of ['hunter2-pw', 'tok-123456', 'BEGIN PRIVATE KEY', 's3cr3t-value']) {
    assert.ok(!text.includes(secret), `${secret} leaked into the log file`);
    assert.ok(!JSON.stringify(ring.recent('trace', 100)).includes(secret), `${secret} leaked into the tail`);
  }
  assert.ok(text.includes('alice'), 'non-secret fields are kept');
  assert.ok(text.includes(REDACTED));
  assert.equal(String(new Secret('x')), REDACTED);
  assert.equal(new Secret('x').reveal(), 'x');
});

test('the log ring keeps the newest entries and filters by level', () => {
  const { logger, ring, close } = createLogger({ level: 'trace' });
  for (let i = 0; i < 2100; i++) logger.debug({ i }, 'debug line');
  logger.warn('a warning');
  close();
  const all = ring.recent('trace', 5000);
  assert.equal(all.length, 2000);
  assert.equal(all.at(-1)?.msg, 'a warning');
  assert.deepEqual(
    ring.recent('warn', 10).map((e) => e.msg),
    ['a warning'],
  );
  assert.ok(
    all.every((e, idx) => idx === 0 || e.seq > all[idx - 1]!.seq),
    'sequence numbers increase',
  );
});
