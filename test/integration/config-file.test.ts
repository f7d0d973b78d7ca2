import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { defaultLimits } from '../../main/broker';
import { ConfigError, loadConfigFile } from '../../main/core';
import { lockoutPolicyOf, loginQueueOf } from '../../main/core/config-options';
import { DEFAULT_MAX_BATCH_ROWS } from '../../main/pki/device-issuer';
import { DEFAULT_LOCKOUT } from '../../main/tenancy/lockout';
import { DEFAULT_HASH_QUEUE } from '../../main/tenancy/hash-queue';
import { loopbackArgs, REPO_ROOT, runCli, startCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

const DOC = path.join(REPO_ROOT, 'docs/configuration.md');

function writeConfig(config: unknown): string {
  const file = path.join(tempDir(), 'config.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

/** The first ```json block of docs/configuration.md: the documented example with its defaults. */
function documentedExample(): Record<string, Record<string, unknown>> {
  const match = /```json\n([\s\S]*?)```/.exec(fs.readFileSync(DOC, 'utf8'));
  assert.ok(match, 'docs/configuration.md has a json example');
  return JSON.parse(match[1]!);
}

function problemOf(config: unknown): string {
  try {
    loadConfigFile(writeConfig(config));
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${(err as Error).name}`);
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(config)}`);
}

describe('the --config file', () => {
  test('the example in docs/configuration.md is valid and shows the real defaults', () => {
    const example = documentedExample();
    const file = writeConfig(example);
    assert.deepEqual(loadConfigFile(file), example);
    const { topicAliasMaximum: _notConfigurable, ...limits } = defaultLimits;
    assert.deepEqual(example.broker, limits);
    assert.deepEqual(example.tenancy?.lockout, {
      maxFailures: DEFAULT_LOCKOUT.maxFailures,
      windowSeconds: DEFAULT_LOCKOUT.windowMs / 1000,
      lockSeconds: DEFAULT_LOCKOUT.lockMs / 1000,
      maxFailuresPerAddress: DEFAULT_LOCKOUT.maxFailuresPerAddress,
      maxQueuedLogins: DEFAULT_HASH_QUEUE.maxQueued,
    });
    assert.equal(example.tenancy?.rootAccountName, 'sys');
    assert.deepEqual(example.pki, { authorityAlgorithm: 'ec-p256', maxBatchRows: DEFAULT_MAX_BATCH_ROWS });
  });

  test('bad values of the tenancy, pki and explorer keys name the key', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ tenancy: { lockout: { maxFailures: 0 } } }, /"tenancy\.lockout\.maxFailures"/],
      [{ tenancy: { lockout: { windowSeconds: 1.5 } } }, /"tenancy\.lockout\.windowSeconds"/],
      [{ tenancy: { lockout: { lockSeconds: '60' } } }, /"tenancy\.lockout\.lockSeconds"/],
      [{ tenancy: { lockout: { attempts: 3 } } }, /"tenancy\.lockout" attempts/],
      [{ tenancy: { rootAccountName: '$sys' } }, /"tenancy\.rootAccountName": use 1 to 64 characters/],
      [{ tenancy: { rootAccountName: '' } }, /"tenancy\.rootAccountName"/],
      [{ pki: { authorityAlgorithm: 'dsa-1024' } }, /"pki\.authorityAlgorithm".*ec-p256.*rsa-4096/],
      [{ pki: { algorithm: 'ec-p256' } }, /"pki" algorithm/],
      [{ pki: { maxBatchRows: 0 } }, /"pki\.maxBatchRows"/],
      [{ explorer: { history: { maxMessagesPerTopic: -5 } } }, /"explorer\.history\.maxMessagesPerTopic"/],
      [{ explorer: { history: { maxTotalBytes: 0 } } }, /"explorer\.history\.maxTotalBytes"/],
      [{ explorer: { history: { maxPayloadBytes: null } } }, /"explorer\.history\.maxPayloadBytes"/],
      [{ explorer: { maxTopics: 10 } }, /"explorer" maxTopics/],
    ];
    for (const [config, expected] of cases) {
      assert.match(problemOf(config), expected, JSON.stringify(config));
    }
  });

  test('lockout seconds become the tenancy policy; the lock lasts as long as the window unless set', () => {
    assert.equal(lockoutPolicyOf({}), undefined);
    assert.deepEqual(lockoutPolicyOf({ tenancy: { lockout: { maxFailures: 3, windowSeconds: 60 } } }), {
      maxFailures: 3,
      windowMs: 60_000,
      lockMs: 60_000,
    });
    assert.deepEqual(lockoutPolicyOf({ tenancy: { lockout: { windowSeconds: 60, lockSeconds: 900 } } }), {
      windowMs: 60_000,
      lockMs: 900_000,
    });
    const flood = { tenancy: { lockout: { maxFailuresPerAddress: 40, maxQueuedLogins: 8 } } };
    assert.deepEqual(lockoutPolicyOf(flood), { maxFailuresPerAddress: 40 });
    assert.deepEqual(loginQueueOf(flood), { maxQueued: 8 });
    assert.equal(loginQueueOf({}), undefined);
  });

  test('an invalid file stops fieldbench with exit code 1, naming each offending key', async () => {
    const config = writeConfig({
      tenancy: { lockout: { maxFailures: 0 } },
      pki: { authorityAlgorithm: 'rsa-1024' },
      explorer: { history: { maxPayloadBytes: -1 } },
    });
    const { code, stdout, stderr } = await runCli(loopbackArgs('serve', tempDir(), '--config', config));
    assert.equal(code, 1, stdout + stderr);
    assert.match(stderr, /^fieldbench: Config file .*config\.json is invalid/);
    for (const key of [
      'tenancy.lockout.maxFailures',
      'pki.authorityAlgorithm',
      'explorer.history.maxPayloadBytes',
    ])
      assert.ok(stderr.includes(`"${key}"`), `names ${key}: ${stderr}`);
    assert.doesNotMatch(stdout, /Fieldbench ready/);
  });

  test('--help says what the config file can set and where it is documented', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    assert.equal(code, 0);
    const help = stdout.slice(stdout.indexOf('--config')).replace(/\s+/g, ' ');
    for (const topic of [
      'broker limits',
      'access rules',
      'lockout',
      'root account',
      'CA key algorithm',
      'history',
    ])
      assert.ok(help.includes(topic), `--config help mentions ${topic}: ${help}`);
    assert.ok(help.includes('docs/configuration.md'));
  });

  test('a missing config file stops fieldbench with exit code 1 and says which file', async () => {
    const missing = path.join(tempDir(), 'nope.json');
    const { code, stderr } = await runCli(loopbackArgs('serve', tempDir(), '--config', missing));
    assert.equal(code, 1);
    assert.ok(stderr.includes(`Cannot read config file ${missing}`), stderr);
  });

  test('--allow-anonymous prints its warning line; without it there is none', async () => {
    const open = await startCli(loopbackArgs('serve', tempDir(), '--allow-anonymous'));
    try {
      await waitFor(
        () => open.output().includes('Warning: anonymous device access is ON (--allow-anonymous)'),
        `the warning in:\n${open.output()}`,
      );
    } finally {
      assert.equal((await open.stop()).code, 0);
    }
    const closed = await startCli(loopbackArgs('serve', tempDir()));
    const drained = once(closed.child, 'close');
    assert.equal((await closed.stop()).code, 0);
    await drained;
    assert.doesNotMatch(closed.output(), /anonymous device access is ON/);
  });

  test('"allowAnonymous": true in the config file prints the same warning', async () => {
    const config = writeConfig({ allowAnonymous: true });
    const app = await startCli(loopbackArgs('serve', tempDir(), '--config', config));
    try {
      await waitFor(
        () => /^Warning: anonymous device access is ON/m.test(app.output()),
        `the warning in:\n${app.output()}`,
      );
    } finally {
      await app.stop();
    }
  });
});
