import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkClientId } from '../../main/onboarding/client-id';
import { parseDpsRequest, parseDpsUsername } from '../../main/onboarding/dps-protocol';
import {
  type AgentScope,
  checkPublish,
  checkSubscribe,
  parsePropertyBag,
} from '../../main/onboarding/topic-rules';

describe('onboarding rules', () => {
  test('client-id conventions per mode', () => {
    assert.deepEqual(checkClientId('strict', 'acme', 'sensor-1', 'sensor-1'), { ok: true });
    assert.equal(checkClientId('strict', 'acme', 'acme_sensor-1', 'sensor-1').ok, false);
    assert.deepEqual(checkClientId('eu1', 'acme', 'acme_Agent', 'Agent'), { ok: true });
    const eu1 = checkClientId('eu1', 'acme', 'Agent', 'Agent');
    assert.equal(eu1.ok === false && eu1.refusal, 'client-id-mismatch');
    assert.deepEqual(checkClientId('eu2', 'acme', 'acme_Agent', 'acme_Agent'), { ok: true });
    const prefix = checkClientId('eu2', 'acme', 'globex_Agent', 'globex_Agent');
    assert.equal(prefix.ok === false && prefix.refusal, 'wrong-tenant-prefix');
    const bare = checkClientId('eu2', 'acme', 'acme_', 'acme_');
    assert.equal(bare.ok === false && bare.refusal, 'wrong-tenant-prefix', 'an empty agent name is no agent');
    const mismatch = checkClientId('eu2', 'acme', 'acme_Other', 'acme_Agent');
    assert.equal(mismatch.ok === false && mismatch.refusal, 'client-id-mismatch');
  });

  test('eu1 and eu2 topic structures', () => {
    const eu1: AgentScope = { mode: 'eu1', tenant: 'acme', clientId: 'acme_A', applications: ['amo_v3'] };
    assert.equal(checkPublish(eu1, 'tc/acme/acme_A/o/amo_v3/a/b'), true);
    assert.notEqual(checkPublish(eu1, 'tc/acme/acme_A/o/amo_v3/'), true, 'an app topic is required');
    assert.notEqual(checkPublish(eu1, 'tc/acme/acme_A/o/amo_v3'), true);
    assert.notEqual(checkPublish(eu1, 'tc/+/acme_A/o/amo_v3/x'), true);
    assert.equal(checkSubscribe(eu1, 'tc/acme/acme_A/i/amo_v3/#'), true);
    assert.notEqual(checkSubscribe(eu1, 'tc/acme/acme_A/+/amo_v3/#'), true);
    assert.notEqual(checkSubscribe(eu1, 'tc/acme/#'), true);
    assert.notEqual(checkSubscribe(eu1, '#'), true);
    const eu2: AgentScope = { mode: 'eu2', tenant: 'acme', clientId: 'acme_A', applications: [] };
    assert.equal(checkPublish(eu2, 'devices/acme_A/messages/events/'), true);
    assert.equal(checkPublish(eu2, 'devices/acme_A/messages/events/amo_v3=m'), true);
    assert.notEqual(checkPublish(eu2, 'devices/acme_A/messages/events'), true);
    assert.equal(checkSubscribe(eu2, 'devices/acme_A/messages/devicebound/#'), true);
    assert.notEqual(checkSubscribe(eu2, 'devices/acme_A/messages/devicebound/x'), true);
    const strict: AgentScope = { mode: 'strict', tenant: 'acme', clientId: 'x', applications: [] };
    assert.equal(checkPublish(strict, 'anything/at/all'), true);
  });

  test('property bags, DPS usernames and request topics', () => {
    assert.deepEqual(parsePropertyBag('amo_v3=m&%24.ct=application%2Fjson&flag'), {
      amo_v3: 'm',
      '$.ct': 'application/json',
      flag: '',
    });
    assert.deepEqual(parsePropertyBag('bad=%E0%A4%A'), { bad: '%E0%A4%A' });
    assert.equal(
      Object.keys(parsePropertyBag(Array.from({ length: 100 }, (_, i) => `k${i}=v`).join('&'))).length,
      32,
    );
    assert.deepEqual(
      parseDpsUsername('0ne00ABCDEF/registrations/acme_A/api-version=2019-03-31&ClientVersion=c%2F1'),
      {
        scopeId: '0ne00ABCDEF',
        registrationId: 'acme_A',
        apiVersion: '2019-03-31',
      },
    );
    assert.equal(parseDpsUsername('acme-hub/acme_A/?api-version=2021-04-12'), undefined);
    assert.equal(parseDpsUsername(undefined), undefined);
    assert.deepEqual(parseDpsRequest('$dps/registrations/PUT/iotdps-register/?$rid=42'), {
      kind: 'register',
      rid: '42',
    });
    assert.deepEqual(
      parseDpsRequest('$dps/registrations/GET/iotdps-get-operationstatus/?$rid=3&operationId=4.a.b'),
      {
        kind: 'status',
        rid: '3',
        operationId: '4.a.b',
      },
    );
    assert.equal(parseDpsRequest('$dps/registrations/PUT/iotdps-register/').kind, 'invalid');
    assert.equal(parseDpsRequest('$dps/registrations/DELETE/x').kind, 'invalid');
  });
});
