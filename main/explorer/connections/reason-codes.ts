/** Plain-language meanings of MQTT 5 reason codes (and MQTT 3.1.1 CONNACK return codes). */
const V5 = new Map<number, string>([
  [0x00, 'Success'],
  [0x04, 'Disconnect with will message'],
  [0x10, 'No matching subscribers'],
  [0x11, 'No subscription existed'],
  [0x18, 'Continue authentication'],
  [0x19, 'Re-authenticate'],
  [0x80, 'Unspecified error'],
  [0x81, 'Malformed packet'],
  [0x82, 'Protocol error'],
  [0x83, 'Implementation specific error'],
  [0x84, 'Unsupported protocol version'],
  [0x85, 'Client identifier not valid'],
  [0x86, 'Bad user name or password'],
  [0x87, 'Not authorized'],
  [0x88, 'Server unavailable'],
  [0x89, 'Server busy'],
  [0x8a, 'Banned'],
  [0x8b, 'Server shutting down'],
  [0x8c, 'Bad authentication method'],
  [0x8d, 'Keep alive timeout'],
  [0x8e, 'Session taken over by another client with the same client id'],
  [0x8f, 'Topic filter invalid'],
  [0x90, 'Topic name invalid'],
  [0x91, 'Packet identifier in use'],
  [0x92, 'Packet identifier not found'],
  [0x93, 'Receive maximum exceeded'],
  [0x94, 'Topic alias invalid'],
  [0x95, 'Packet too large'],
  [0x96, 'Message rate too high'],
  [0x97, 'Quota exceeded'],
  [0x98, 'Administrative action'],
  [0x99, 'Payload format invalid'],
  [0x9a, 'Retain not supported'],
  [0x9b, 'QoS not supported'],
  [0x9c, 'Use another server'],
  [0x9d, 'Server moved'],
  [0x9e, 'Shared subscriptions not supported'],
  [0x9f, 'Connection rate exceeded'],
  [0xa0, 'Maximum connect time'],
  [0xa1, 'Subscription identifiers not supported'],
  [0xa2, 'Wildcard subscriptions not supported'],
]);

const V3_CONNACK: Record<number, string> = {
  1: 'Unacceptable protocol version',
  2: 'Client identifier rejected',
  3: 'Server unavailable',
  4: 'Bad user name or password',
  5: 'Not authorized',
};

export function reasonText(code: number, mqttVersion: 3 | 4 | 5 = 5, connack = false): string {
  if (connack && mqttVersion !== 5) return V3_CONNACK[code] ?? `Unknown return code ${code}`;
  return V5.get(code) ?? `Unknown reason code ${code}`;
}

/** A sentence explaining a refused CONNECT. */
export function explainConnack(code: number, mqttVersion: 3 | 4 | 5): string {
  const text = reasonText(code, mqttVersion, true);
  const hints: Record<string, string> = {
    'Bad user name or password': 'check the user name and password in the profile.',
    'Not authorized':
      'the broker accepted the credentials but this client may not connect (check its ACLs or certificate).',
    'Client identifier not valid': 'choose another client id.',
    'Client identifier rejected': 'choose another client id.',
    'Unsupported protocol version': 'switch the profile between MQTT 5.0 and 3.1.1.',
    'Unacceptable protocol version': 'switch the profile between MQTT 5.0 and 3.1.1.',
    Banned: 'the broker has banned this client.',
  };
  const hint = hints[text];
  return `The broker refused the connection: ${text} (reason code ${code})${hint ? `; ${hint}` : '.'}`;
}
