import mqttPacket, { type Packet, type Parser } from 'mqtt-packet';

/** What a pooled parser reports to while it is lent out. */
export interface ParserOwner {
  onPacket(packet: Packet): void;
  onParseError(err: Error): void;
}

interface ParserInternals {
  settings: { protocolVersion?: number };
  packet: Packet;
  error: Error | null;
  _list: { length: number };
  _stateCounter: number;
}

export type PooledParser = Parser & ParserInternals & { owner: ParserOwner | null };

const MAX_POOLED = 256;
const pool: PooledParser[] = [];
const NO_SETTINGS = {};

function onPacket(this: PooledParser, packet: Packet): void {
  this.owner?.onPacket(packet);
}

function onError(this: PooledParser, err: Error): void {
  this.owner?.onParseError(err);
}

/**
 * mqtt-packet parsers are sizeable (each holds a stream-based buffer list), yet between packets
 * they hold no state but the protocol version. Connections borrow one for each chunk they read
 * and give it back at a packet boundary, so idle connections carry no parser at all.
 */
export function acquireParser(owner: ParserOwner, protocolVersion: number | undefined): PooledParser {
  let parser = pool.pop();
  if (parser === undefined) {
    parser = mqttPacket.parser({}) as PooledParser;
    parser.on('packet', onPacket);
    parser.on('error', onError);
  }
  parser.owner = owner;
  parser.settings = protocolVersion === undefined ? {} : { protocolVersion };
  return parser;
}

/** Returns the parser to the pool when it sits between packets; false if it still holds data. */
export function releaseParser(parser: PooledParser): boolean {
  if (
    parser.error !== null ||
    parser._list.length !== 0 ||
    parser._stateCounter !== 0 ||
    parser.packet.length !== -1
  ) {
    return false;
  }
  parser.owner = null;
  parser.settings = NO_SETTINGS;
  if (pool.length < MAX_POOLED) pool.push(parser);
  return true;
}
