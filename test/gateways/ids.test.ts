import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deviceIdProblem, parseClientId, parseDeviceTopic, registryIdProblem } from '../../main/gateways/ids';

describe('gateway ids, client ids and topics', () => {
  test('both client id forms parse; anything else does not', () => {
    assert.deepEqual(parseClientId('subscriptions/acme/registries/r-1/devices/gw-1'), {
      accountName: 'acme',
      registryId: 'r-1',
      deviceId: 'gw-1',
    });
    assert.deepEqual(parseClientId('projects/acme/locations/us-central1/registries/r-1/devices/gw-1'), {
      accountName: 'acme',
      registryId: 'r-1',
      deviceId: 'gw-1',
    });
    for (const bad of [
      'subscriptions/acme/registries/r-1/devices/',
      'subscriptions/acme/registries/r-1/devices/a/b',
      'projects/acme/registries/r-1/devices/gw-1',
      'meter-1',
    ]) {
      assert.equal(parseClientId(bad), null, bad);
    }
  });

  test('device topics in both forms; other registries, wildcard devices and extra levels are not device topics', () => {
    assert.deepEqual(parseDeviceTopic('/r-1/d-1/events/power/phase-a', 'r-1'), {
      form: 'registry',
      deviceId: 'd-1',
      kind: 'events',
      subfolder: 'power/phase-a',
    });
    assert.deepEqual(parseDeviceTopic('/devices/d-1/commands/#', 'r-1'), {
      form: 'devices',
      deviceId: 'd-1',
      kind: 'commands',
      subfolder: '#',
    });
    assert.equal(parseDeviceTopic('/devices/d-1/state', 'r-1')?.kind, 'state');
    for (const bad of [
      '/r-2/d-1/events',
      '/r-1/+/config',
      '/r-1/d-1/state/x',
      '/r-1/d-1/other',
      'r-1/d-1/events',
      '/r-1/d-1',
    ]) {
      assert.equal(parseDeviceTopic(bad, 'r-1'), null, bad);
    }
  });

  test('ids are validated with a clear reason; "devices" is reserved as a registry id', () => {
    assert.equal(registryIdProblem('plant-a'), null);
    assert.match(registryIdProblem('devices') ?? '', /reserved/);
    assert.match(registryIdProblem('a/b') ?? '', /not a valid registry id/);
    assert.equal(deviceIdProblem('sensor.7_x~y'), null);
    assert.match(deviceIdProblem('7sensor') ?? '', /not a valid device id/);
    assert.match(deviceIdProblem('se+nsor') ?? '', /not a valid device id/);
  });
});
