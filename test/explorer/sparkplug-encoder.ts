/**
 * Test-side Sparkplug B encoder, written from the field numbers of the Eclipse Sparkplug 3.0 schema
 * (`sparkplug_b.proto`). The same payload model is also rendered as protobuf text format, so protoc — an
 * independent encoder — can produce the bytes we compare against (see `protocEncode`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp-dir';
import { ProtoWriter } from './proto-writer';

export type SpScalar =
  | { int: number }
  | { long: bigint | number }
  | { float: number }
  | { double: number }
  | { boolean: boolean }
  | { string: string };

export type SpValue = SpScalar | { bytes: Buffer } | { dataset: SpDataSet } | { template: SpTemplate };

export interface SpMetaData {
  isMultiPart?: boolean;
  contentType?: string;
  size?: bigint | number;
  seq?: bigint | number;
  fileName?: string;
  fileType?: string;
  md5?: string;
  description?: string;
}

export interface SpPropertyValue {
  type?: number;
  isNull?: boolean;
  value?: SpScalar | { propertyset: SpPropertySet } | { propertysets: SpPropertySet[] };
}

export interface SpPropertySet {
  keys: string[];
  values: SpPropertyValue[];
}

export interface SpMetric {
  name?: string;
  alias?: bigint | number;
  timestamp?: bigint | number;
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  metadata?: SpMetaData;
  properties?: SpPropertySet;
  value?: SpValue;
}

/** A DataSet cell: one scalar, or `null` for a DataSetValue with no member set. */
export type SpCell = SpScalar | null;

export interface SpDataSet {
  numOfColumns?: bigint | number;
  columns: string[];
  types: number[];
  rows: SpCell[][];
}

export interface SpParameter {
  name?: string;
  type?: number;
  value?: SpScalar;
}

export interface SpTemplate {
  version?: string;
  metrics: SpMetric[];
  parameters?: SpParameter[];
  templateRef?: string;
  isDefinition?: boolean;
}

export interface SpPayload {
  timestamp?: bigint | number;
  metrics: SpMetric[];
  seq?: bigint | number;
  uuid?: string;
  body?: Buffer;
}

// --- binary encoder (fields in field-number order, as protoc writes them) ------------------------------

/** uint32 fields carry Int8/16/32 as their two's complement low 32 bits (as Tahu's encoders do). */
const u32 = (v: number) => v >>> 0;
const u64 = (v: bigint | number) => BigInt.asUintN(64, BigInt(v));

/** Scalar oneof members, `first` being the field number of int_value in that message. */
function writeScalar(w: ProtoWriter, first: number, v: SpScalar): void {
  if ('int' in v) w.uint(first, u32(v.int));
  else if ('long' in v) w.uint(first + 1, u64(v.long));
  else if ('float' in v) w.float(first + 2, v.float);
  else if ('double' in v) w.double(first + 3, v.double);
  else if ('boolean' in v) w.bool(first + 4, v.boolean);
  else w.bytes(first + 5, v.string);
}

function encodeMetaData(m: SpMetaData): ProtoWriter {
  const w = new ProtoWriter();
  if (m.isMultiPart !== undefined) w.bool(1, m.isMultiPart);
  if (m.contentType !== undefined) w.bytes(2, m.contentType);
  if (m.size !== undefined) w.uint(3, u64(m.size));
  if (m.seq !== undefined) w.uint(4, u64(m.seq));
  if (m.fileName !== undefined) w.bytes(5, m.fileName);
  if (m.fileType !== undefined) w.bytes(6, m.fileType);
  if (m.md5 !== undefined) w.bytes(7, m.md5);
  if (m.description !== undefined) w.bytes(8, m.description);
  return w;
}

function encodePropertySet(s: SpPropertySet): ProtoWriter {
  const w = new ProtoWriter();
  for (const k of s.keys) w.bytes(1, k);
  for (const v of s.values) {
    const pv = new ProtoWriter();
    if (v.type !== undefined) pv.uint(1, v.type);
    if (v.isNull !== undefined) pv.bool(2, v.isNull);
    if (v.value && 'propertyset' in v.value) pv.bytes(9, encodePropertySet(v.value.propertyset));
    else if (v.value && 'propertysets' in v.value) {
      const list = new ProtoWriter();
      for (const set of v.value.propertysets) list.bytes(1, encodePropertySet(set));
      pv.bytes(10, list);
    } else if (v.value) writeScalar(pv, 3, v.value);
    w.bytes(2, pv);
  }
  return w;
}

function encodeDataSet(d: SpDataSet): ProtoWriter {
  const w = new ProtoWriter();
  if (d.numOfColumns !== undefined) w.uint(1, u64(d.numOfColumns));
  for (const c of d.columns) w.bytes(2, c);
  for (const t of d.types) w.uint(3, t); // proto2 repeated uint32: not packed
  for (const row of d.rows) {
    const r = new ProtoWriter();
    for (const cell of row) {
      const value = new ProtoWriter();
      if (cell) writeScalar(value, 1, cell);
      r.bytes(1, value);
    }
    w.bytes(4, r);
  }
  return w;
}

function encodeTemplate(t: SpTemplate): ProtoWriter {
  const w = new ProtoWriter();
  if (t.version !== undefined) w.bytes(1, t.version);
  for (const m of t.metrics) w.bytes(2, encodeMetric(m));
  for (const p of t.parameters ?? []) {
    const pw = new ProtoWriter();
    if (p.name !== undefined) pw.bytes(1, p.name);
    if (p.type !== undefined) pw.uint(2, p.type);
    if (p.value) writeScalar(pw, 3, p.value);
    w.bytes(3, pw);
  }
  if (t.templateRef !== undefined) w.bytes(4, t.templateRef);
  if (t.isDefinition !== undefined) w.bool(5, t.isDefinition);
  return w;
}

export function encodeMetric(m: SpMetric): ProtoWriter {
  const w = new ProtoWriter();
  if (m.name !== undefined) w.bytes(1, m.name);
  if (m.alias !== undefined) w.uint(2, u64(m.alias));
  if (m.timestamp !== undefined) w.uint(3, u64(m.timestamp));
  if (m.datatype !== undefined) w.uint(4, m.datatype);
  if (m.isHistorical !== undefined) w.bool(5, m.isHistorical);
  if (m.isTransient !== undefined) w.bool(6, m.isTransient);
  if (m.isNull !== undefined) w.bool(7, m.isNull);
  if (m.metadata) w.bytes(8, encodeMetaData(m.metadata));
  if (m.properties) w.bytes(9, encodePropertySet(m.properties));
  const v = m.value;
  if (!v) return w;
  if ('bytes' in v) w.bytes(16, v.bytes);
  else if ('dataset' in v) w.bytes(17, encodeDataSet(v.dataset));
  else if ('template' in v) w.bytes(18, encodeTemplate(v.template));
  else writeScalar(w, 10, v);
  return w;
}

export function encodePayload(p: SpPayload): Buffer {
  const w = new ProtoWriter();
  if (p.timestamp !== undefined) w.uint(1, u64(p.timestamp));
  for (const m of p.metrics) w.bytes(2, encodeMetric(m));
  if (p.seq !== undefined) w.uint(3, u64(p.seq));
  if (p.uuid !== undefined) w.bytes(4, p.uuid);
  if (p.body !== undefined) w.bytes(5, p.body);
  return w.finish();
}

// --- the same model as protobuf text format, for protoc --encode ----------------------------------------

function textBytes(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '"';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function textFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  return String(v);
}

function textScalar(names: readonly string[], v: SpScalar): string {
  const [intName, longName, floatName, doubleName, boolName, stringName] = names;
  if ('int' in v) return `${intName}: ${u32(v.int)}`;
  if ('long' in v) return `${longName}: ${u64(v.long)}`;
  if ('float' in v) return `${floatName}: ${textFloat(Math.fround(v.float))}`;
  if ('double' in v) return `${doubleName}: ${textFloat(v.double)}`;
  if ('boolean' in v) return `${boolName}: ${v.boolean}`;
  return `${stringName}: ${textBytes(v.string)}`;
}

const SCALAR_NAMES = [
  'int_value',
  'long_value',
  'float_value',
  'double_value',
  'boolean_value',
  'string_value',
];

function textPropertySet(s: SpPropertySet): string {
  const parts = s.keys.map((k) => `keys: ${textBytes(k)}`);
  for (const v of s.values) {
    const pv: string[] = [];
    if (v.type !== undefined) pv.push(`type: ${v.type}`);
    if (v.isNull !== undefined) pv.push(`is_null: ${v.isNull}`);
    if (v.value && 'propertyset' in v.value)
      pv.push(`propertyset_value { ${textPropertySet(v.value.propertyset)} }`);
    else if (v.value && 'propertysets' in v.value)
      pv.push(
        `propertysets_value { ${v.value.propertysets.map((set) => `propertyset { ${textPropertySet(set)} }`).join(' ')} }`,
      );
    else if (v.value) pv.push(textScalar(SCALAR_NAMES, v.value));
    parts.push(`values { ${pv.join(' ')} }`);
  }
  return parts.join(' ');
}

function textMetric(m: SpMetric): string {
  const parts: string[] = [];
  if (m.name !== undefined) parts.push(`name: ${textBytes(m.name)}`);
  if (m.alias !== undefined) parts.push(`alias: ${u64(m.alias)}`);
  if (m.timestamp !== undefined) parts.push(`timestamp: ${u64(m.timestamp)}`);
  if (m.datatype !== undefined) parts.push(`datatype: ${m.datatype}`);
  if (m.isHistorical !== undefined) parts.push(`is_historical: ${m.isHistorical}`);
  if (m.isTransient !== undefined) parts.push(`is_transient: ${m.isTransient}`);
  if (m.isNull !== undefined) parts.push(`is_null: ${m.isNull}`);
  if (m.metadata) {
    const md = m.metadata;
    const f: string[] = [];
    if (md.isMultiPart !== undefined) f.push(`is_multi_part: ${md.isMultiPart}`);
    if (md.contentType !== undefined) f.push(`content_type: ${textBytes(md.contentType)}`);
    if (md.size !== undefined) f.push(`size: ${u64(md.size)}`);
    if (md.seq !== undefined) f.push(`seq: ${u64(md.seq)}`);
    if (md.fileName !== undefined) f.push(`file_name: ${textBytes(md.fileName)}`);
    if (md.fileType !== undefined) f.push(`file_type: ${textBytes(md.fileType)}`);
    if (md.md5 !== undefined) f.push(`md5: ${textBytes(md.md5)}`);
    if (md.description !== undefined) f.push(`description: ${textBytes(md.description)}`);
    parts.push(`metadata { ${f.join(' ')} }`);
  }
  if (m.properties) parts.push(`properties { ${textPropertySet(m.properties)} }`);
  const v = m.value;
  if (v && 'bytes' in v) parts.push(`bytes_value: ${textBytes(v.bytes)}`);
  else if (v && 'dataset' in v) {
    const d = v.dataset;
    const f: string[] = [];
    if (d.numOfColumns !== undefined) f.push(`num_of_columns: ${u64(d.numOfColumns)}`);
    for (const c of d.columns) f.push(`columns: ${textBytes(c)}`);
    for (const t of d.types) f.push(`types: ${t}`);
    const cellNames = SCALAR_NAMES;
    for (const row of d.rows)
      f.push(
        `rows { ${row.map((cell) => `elements { ${cell ? textScalar(cellNames, cell) : ''} }`).join(' ')} }`,
      );
    parts.push(`dataset_value { ${f.join(' ')} }`);
  } else if (v && 'template' in v) {
    const t = v.template;
    const f: string[] = [];
    if (t.version !== undefined) f.push(`version: ${textBytes(t.version)}`);
    for (const member of t.metrics) f.push(`metrics { ${textMetric(member)} }`);
    for (const p of t.parameters ?? []) {
      const pf: string[] = [];
      if (p.name !== undefined) pf.push(`name: ${textBytes(p.name)}`);
      if (p.type !== undefined) pf.push(`type: ${p.type}`);
      if (p.value) pf.push(textScalar(SCALAR_NAMES, p.value));
      f.push(`parameters { ${pf.join(' ')} }`);
    }
    if (t.templateRef !== undefined) f.push(`template_ref: ${textBytes(t.templateRef)}`);
    if (t.isDefinition !== undefined) f.push(`is_definition: ${t.isDefinition}`);
    parts.push(`template_value { ${f.join(' ')} }`);
  } else if (v) parts.push(textScalar(SCALAR_NAMES, v));
  return parts.join(' ');
}

export function payloadText(p: SpPayload): string {
  const parts: string[] = [];
  if (p.timestamp !== undefined) parts.push(`timestamp: ${u64(p.timestamp)}`);
  for (const m of p.metrics) parts.push(`metrics {\n  ${textMetric(m)}\n}`);
  if (p.seq !== undefined) parts.push(`seq: ${u64(p.seq)}`);
  if (p.uuid !== undefined) parts.push(`uuid: ${textBytes(p.uuid)}`);
  if (p.body !== undefined) parts.push(`body: ${textBytes(p.body)}`);
  return `${parts.join('\n')}\n`;
}

/**
 * The Sparkplug B 3.0 message schema (field names, types and numbers as the specification gives them;
 * the DataType enum is left out: every `type`/`datatype` field is a plain uint32 on the wire).
 */
export const SPARKPLUG_B_PROTO = `syntax = "proto2";
package org.eclipse.tahu.protobuf;

message Payload {
  message Template {
    message Parameter {
      optional string name = 1;
      optional uint32 type = 2;
      oneof value {
        uint32 int_value = 3;
        uint64 long_value = 4;
        float float_value = 5;
        double double_value = 6;
        bool boolean_value = 7;
        string string_value = 8;
        ParameterValueExtension extension_value = 9;
      }
      message ParameterValueExtension { extensions 1 to max; }
    }
    optional string version = 1;
    repeated Metric metrics = 2;
    repeated Parameter parameters = 3;
    optional string template_ref = 4;
    optional bool is_definition = 5;
    extensions 6 to max;
  }
  message DataSet {
    message DataSetValue {
      oneof value {
        uint32 int_value = 1;
        uint64 long_value = 2;
        float float_value = 3;
        double double_value = 4;
        bool boolean_value = 5;
        string string_value = 6;
        DataSetValueExtension extension_value = 7;
      }
      message DataSetValueExtension { extensions 1 to max; }
    }
    message Row {
      repeated DataSetValue elements = 1;
      extensions 2 to max;
    }
    optional uint64 num_of_columns = 1;
    repeated string columns = 2;
    repeated uint32 types = 3;
    repeated Row rows = 4;
    extensions 5 to max;
  }
  message PropertyValue {
    optional uint32 type = 1;
    optional bool is_null = 2;
    oneof value {
      uint32 int_value = 3;
      uint64 long_value = 4;
      float float_value = 5;
      double double_value = 6;
      bool boolean_value = 7;
      string string_value = 8;
      PropertySet propertyset_value = 9;
      PropertySetList propertysets_value = 10;
      PropertyValueExtension extension_value = 11;
    }
    message PropertyValueExtension { extensions 1 to max; }
  }
  message PropertySet {
    repeated string keys = 1;
    repeated PropertyValue values = 2;
    extensions 3 to max;
  }
  message PropertySetList {
    repeated PropertySet propertyset = 1;
    extensions 2 to max;
  }
  message MetaData {
    optional bool is_multi_part = 1;
    optional string content_type = 2;
    optional uint64 size = 3;
    optional uint64 seq = 4;
    optional string file_name = 5;
    optional string file_type = 6;
    optional string md5 = 7;
    optional string description = 8;
    extensions 9 to max;
  }
  message Metric {
    optional string name = 1;
    optional uint64 alias = 2;
    optional uint64 timestamp = 3;
    optional uint32 datatype = 4;
    optional bool is_historical = 5;
    optional bool is_transient = 6;
    optional bool is_null = 7;
    optional MetaData metadata = 8;
    optional PropertySet properties = 9;
    oneof value {
      uint32 int_value = 10;
      uint64 long_value = 11;
      float float_value = 12;
      double double_value = 13;
      bool boolean_value = 14;
      string string_value = 15;
      bytes bytes_value = 16;
      DataSet dataset_value = 17;
      Template template_value = 18;
      MetricValueExtension extension_value = 19;
    }
    message MetricValueExtension { extensions 1 to max; }
  }
  optional uint64 timestamp = 1;
  repeated Metric metrics = 2;
  optional uint64 seq = 3;
  optional string uuid = 4;
  optional bytes body = 5;
  extensions 6 to max;
}
`;

let protoDir: string | undefined;

function schemaDir(): string {
  if (!protoDir) {
    protoDir = tempDir();
    fs.writeFileSync(path.join(protoDir, 'sparkplug_b.proto'), SPARKPLUG_B_PROTO);
  }
  return protoDir;
}

function protoc(mode: '--encode' | '--decode', input: Buffer | string): Buffer {
  const dir = schemaDir();
  return execFileSync(
    'protoc',
    [`${mode}=org.eclipse.tahu.protobuf.Payload`, `--proto_path=${dir}`, path.join(dir, 'sparkplug_b.proto')],
    { input, timeout: 30_000, stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

/** protoc (Debian's protobuf-compiler) encodes the payload from its text format. */
export function protocEncode(p: SpPayload): Buffer {
  return protoc('--encode', payloadText(p));
}

/** protoc decodes bytes back to text format (throws when they do not parse as a Payload). */
export function protocDecode(bytes: Buffer): string {
  return protoc('--decode', bytes).toString('utf8');
}

// --- Sparkplug 3.0 array datatypes: packed little-endian bytes in bytes_value ---------------------------

export function packBooleans(values: boolean[]): Buffer {
  const buf = Buffer.alloc(4 + Math.ceil(values.length / 8));
  buf.writeUInt32LE(values.length, 0);
  values.forEach((v, i) => {
    if (v) buf[4 + (i >> 3)] = (buf[4 + (i >> 3)] as number) | (0x80 >> (i & 7));
  });
  return buf;
}

export function packStrings(values: string[]): Buffer {
  return Buffer.concat(values.map((v) => Buffer.concat([Buffer.from(v, 'utf8'), Buffer.from([0])])));
}
