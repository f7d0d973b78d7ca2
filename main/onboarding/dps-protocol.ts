/**
 * Azure DPS MQTT wire details: the login username, request topics and response payloads
 * (https://learn.microsoft.com/azure/iot-dps/iot-dps-mqtt-support).
 */

export const DPS_REQUEST_FILTER = '$dps/registrations/#';
export const DPS_RESPONSE_FILTER = '$dps/registrations/res/#';
const REGISTER = '$dps/registrations/PUT/iotdps-register/';
const STATUS = '$dps/registrations/GET/iotdps-get-operationstatus/';

/** Registration ids Azure accepts (alphanumeric and `-._:`), plus `_` for Insights Hub's `<tenant>_<agent>`. */
const REGISTRATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const USERNAME = /^([A-Za-z0-9]{1,64})\/registrations\/([^/]+)\/api-version=([^&]+)(?:&.*)?$/;

export interface DpsLogin {
  scopeId: string;
  registrationId: string;
  apiVersion: string;
}

/** `<scopeId>/registrations/<registrationId>/api-version=<version>[&ClientVersion=…]`, or undefined. */
export function parseDpsUsername(username: string | undefined): DpsLogin | undefined {
  const match = username ? USERNAME.exec(username) : null;
  if (!match) return undefined;
  return { scopeId: match[1]!, registrationId: match[2]!, apiVersion: match[3]! };
}

export function isValidRegistrationId(id: string): boolean {
  return REGISTRATION_ID.test(id);
}

export type DpsRequest =
  | { kind: 'register'; rid: string }
  | { kind: 'status'; rid: string; operationId: string }
  | { kind: 'invalid'; rid: string; why: string };

function queryOf(topic: string, base: string): URLSearchParams | undefined {
  const rest = topic.slice(base.length);
  return rest.startsWith('?') ? new URLSearchParams(rest.slice(1)) : undefined;
}

/** The request a client published, from its topic (client view). */
export function parseDpsRequest(topic: string): DpsRequest {
  if (topic.startsWith(REGISTER)) {
    const rid = queryOf(topic, REGISTER)?.get('$rid');
    return rid ? { kind: 'register', rid } : { kind: 'invalid', rid: '0', why: 'missing $rid' };
  }
  if (topic.startsWith(STATUS)) {
    const query = queryOf(topic, STATUS);
    const rid = query?.get('$rid');
    const operationId = query?.get('operationId');
    if (!rid) return { kind: 'invalid', rid: '0', why: 'missing $rid' };
    return operationId
      ? { kind: 'status', rid, operationId }
      : { kind: 'invalid', rid, why: 'missing operationId' };
  }
  return { kind: 'invalid', rid: '0', why: `unknown request topic ${topic}` };
}

export function responseTopic(status: number, rid: string, retryAfterSeconds?: number): string {
  const retry = retryAfterSeconds === undefined ? '' : `&retry-after=${retryAfterSeconds}`;
  return `$dps/registrations/res/${status}/?$rid=${rid}${retry}`;
}

/** DPS error body; `errorCode` is the HTTP status followed by a three-digit detail, as DPS sends it. */
export function errorBody(status: 400 | 401 | 404 | 429, message: string, trackingId: string, at: number) {
  const detail = { 400: 4, 401: 2, 404: 2, 429: 1 }[status];
  return {
    errorCode: status * 1000 + detail,
    trackingId,
    message,
    timestampUtc: new Date(at).toISOString(),
  };
}

export interface RegistrationStateFields {
  tenant: string;
  registrationId: string;
  createdAt: number;
  updatedAt: number;
  assignedHub: string;
  deviceId: string;
  reprovisioned: boolean;
  etagSeed: number;
}

/** The `registrationState` of an assigned operation (x509 attestation through the tenant's enrollment group). */
export function registrationState(f: RegistrationStateFields) {
  return {
    x509: { enrollmentGroupId: `TenantEnrollmentGroup-TenantCACertificate-${f.tenant}` },
    registrationId: f.registrationId,
    createdDateTimeUtc: new Date(f.createdAt).toISOString(),
    assignedHub: f.assignedHub,
    deviceId: f.deviceId,
    status: 'assigned',
    substatus: f.reprovisioned ? 'reprovisionedToInitialAssignment' : 'initialAssignment',
    lastUpdatedDateTimeUtc: new Date(f.updatedAt).toISOString(),
    etag: Buffer.from(JSON.stringify(`${f.etagSeed.toString(16)}-0000-0000-0000-000000000000`)).toString(
      'base64',
    ),
  };
}
