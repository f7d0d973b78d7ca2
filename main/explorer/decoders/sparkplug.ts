import {
  bytesOf,
  doubleOf,
  float32Number,
  floatOf,
  int64Value,
  jsonNumber,
  ProtoError,
  type ProtoField,
  readFields,
  readVarint,
  stringOf,
  utf8Of,
  varintOf,
  WIRE_LEN,
  WIRE_VARINT,
  within,
} from './protobuf-reader';

/*
 * Sparkplug B payloads (Eclipse Sparkplug 3.0, `sparkplug_b.proto`, package org.eclipse.tahu.protobuf).
 * Everything decoded here is plain JSON: 64-bit integers that do not fit a JS number are decimal strings,
 * NaN and infinities are the strings "NaN", "Infinity" and "-Infinity", byte strings are `{ base64 }`.
 * Wire-format damage (truncation, wrong wire types, invalid UTF-8) throws a ProtoError whose message says
 * where it happened (`metrics[1].dataset_value.rows[0]: truncated fixed64 field 4`); a packed array whose
 * bytes do not fit its datatype only marks that metric (`valueError`) and keeps its bytes as base64.
 */

export interface SparkplugPayload {
  timestamp?: number | string;
  seq?: number | string;
  uuid?: string;
  metrics: SparkplugMetric[];
  body?: string;
}

export interface SparkplugMetric {
  name?: string;
  alias?: number | string;
  timestamp?: number | string;
  datatype?: number;
  datatypeName?: string;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  /** Scalars as JSON values, DataSet, Template, arrays as JSON arrays, Bytes/File as `{ base64 }`. */
  value: unknown;
  /** Why the value could not be read as its datatype says; `value` then holds its bytes as `{ base64 }`. */
  valueError?: string;
  properties?: SparkplugPropertySet;
  metadata?: SparkplugMetaData;
}

/** One typed value of a property set or a template parameter. */
export interface SparkplugTypedValue {
  type?: string;
  isNull?: boolean;
  value: unknown;
}

/** Property name → typed value (a nested PropertySet is another such object, a PropertySetList an array). */
export type SparkplugPropertySet = Record<string, SparkplugTypedValue>;

export interface SparkplugMetaData {
  isMultiPart?: boolean;
  contentType?: string;
  size?: number | string;
  seq?: number | string;
  fileName?: string;
  fileType?: string;
  md5?: string;
  description?: string;
  unknownFields?: UnknownField[];
}

/** A DataSet as a table: each row is an object keyed by column name, in column order. */
export interface SparkplugDataSet {
  numOfColumns?: number | string;
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
  /** Shape problems that did not stop decoding (a row longer than the column list, …). */
  warnings?: string[];
  unknownFields?: UnknownField[];
}

export interface SparkplugTemplate {
  isDefinition?: boolean;
  templateRef?: string;
  version?: string;
  parameters?: Record<string, SparkplugTypedValue>;
  metrics: SparkplugMetric[];
  unknownFields?: UnknownField[];
}

/** A field the schema does not name (a third-party extension): its number and raw value. */
export interface UnknownField {
  field: number;
  value: number | string | { base64: string };
}

export const DATA_TYPES = [
  'Unknown',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
  'PropertySet',
  'PropertySetList',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Int64Array',
  'UInt8Array',
  'UInt16Array',
  'UInt32Array',
  'UInt64Array',
  'FloatArray',
  'DoubleArray',
  'BooleanArray',
  'StringArray',
  'DateTimeArray',
];

/** Templates and property sets may nest; deeper than this is treated as malformed (no stack overflow). */
export const MAX_NESTING = 32;

function typeName(datatype: number): string {
  return DATA_TYPES[datatype] ?? `Unknown (${datatype})`;
}

export function decodeSparkplug(payload: Buffer): SparkplugPayload {
  let timestamp: number | string | undefined;
  let seq: number | string | undefined;
  let uuid: string | undefined;
  let body: string | undefined;
  const metrics: SparkplugMetric[] = [];
  for (const f of readFields(payload)) {
    switch (f.field) {
      case 1:
        timestamp = within('timestamp', () => int64Value(varintOf(f), false));
        break;
      case 2: {
        const label = `metrics[${metrics.length}]`;
        metrics.push(within(label, () => decodeMetric(bytesOf(f), 0)));
        break;
      }
      case 3:
        seq = within('seq', () => int64Value(varintOf(f), false));
        break;
      case 4:
        uuid = within('uuid', () => stringOf(f));
        break;
      case 5:
        body = within('body', () => bytesOf(f).toString('base64'));
        break;
      default:
        throw new ProtoError(`field ${f.field} is not part of a Sparkplug B payload`);
    }
  }
  if (timestamp === undefined && metrics.length === 0) throw new ProtoError('no Sparkplug B fields');
  // Keys in reading order for the JSON tree: header first, then the metrics.
  return {
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(uuid !== undefined ? { uuid } : {}),
    metrics,
    ...(body !== undefined ? { body } : {}),
  };
}

// --- scalar values --------------------------------------------------------------------------------------

/** The six scalar members every Sparkplug `oneof value` starts with, in field order. */
type ScalarKind = 'int' | 'long' | 'float' | 'double' | 'boolean' | 'string';
const SCALAR_KINDS: readonly ScalarKind[] = ['int', 'long', 'float', 'double', 'boolean', 'string'];

/** int_value is a uint32 on the wire; Int8/16/32 are its low bits in two's complement. */
function intValue(v: bigint, datatype: number | undefined): number {
  const u = Number(BigInt.asUintN(32, v));
  switch (datatype) {
    case 1:
      return (u << 24) >> 24;
    case 2:
      return (u << 16) >> 16;
    case 3:
    case 4:
      return u | 0;
    default:
      return u;
  }
}

function scalar(f: ProtoField, kind: ScalarKind, datatype: number | undefined): unknown {
  switch (kind) {
    case 'int':
      return intValue(varintOf(f), datatype);
    case 'long':
      // uint64 on the wire; the signed types (Int8…Int64) are two's complement.
      return int64Value(varintOf(f), datatype !== undefined && datatype >= 1 && datatype <= 4);
    case 'float':
      return jsonNumber(float32Number(floatOf(f)));
    case 'double':
      return jsonNumber(doubleOf(f));
    case 'boolean':
      return varintOf(f) !== 0n;
    case 'string':
      return stringOf(f);
  }
}

/** `oneof value` whose scalar members start at field `first`; anything after them is message-specific. */
function scalarMember(f: ProtoField, first: number): ScalarKind | undefined {
  return f.field >= first && f.field < first + SCALAR_KINDS.length
    ? SCALAR_KINDS[f.field - first]
    : undefined;
}

function unknownField(f: ProtoField): UnknownField {
  if (f.wire === WIRE_VARINT && f.varint !== undefined)
    return { field: f.field, value: int64Value(f.varint, false) };
  return { field: f.field, value: { base64: (f.bytes ?? Buffer.alloc(0)).toString('base64') } };
}

function uint32Of(f: ProtoField): number {
  return Number(BigInt.asUintN(32, varintOf(f)));
}

function boolOf(f: ProtoField): boolean {
  return varintOf(f) !== 0n;
}

/** Object keys for a list of names: missing names get a placeholder, repeated ones a " #n" suffix. */
function uniqueKeys(names: readonly (string | undefined)[], placeholder: (i: number) => string): string[] {
  const used = new Set<string>();
  return names.map((name, i) => {
    const base = name === undefined || name === '' ? placeholder(i) : name;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base} #${n}`;
    used.add(key);
    return key;
  });
}

function checkNesting(depth: number): void {
  if (depth > MAX_NESTING) throw new ProtoError(`nested more than ${MAX_NESTING} levels deep`);
}

// --- Metric ---------------------------------------------------------------------------------------------

function decodeMetric(buf: Buffer, depth: number): SparkplugMetric {
  checkNesting(depth);
  let name: string | undefined;
  let alias: number | string | undefined;
  let timestamp: number | string | undefined;
  let datatype: number | undefined;
  let isHistorical: boolean | undefined;
  let isTransient: boolean | undefined;
  let isNull: boolean | undefined;
  let metadata: SparkplugMetaData | undefined;
  let properties: SparkplugPropertySet | undefined;
  let raw: ProtoField | undefined;
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        name = within('name', () => stringOf(f));
        break;
      case 2:
        alias = within('alias', () => int64Value(varintOf(f), false));
        break;
      case 3:
        timestamp = within('timestamp', () => int64Value(varintOf(f), false));
        break;
      case 4:
        datatype = within('datatype', () => uint32Of(f));
        break;
      case 5:
        isHistorical = within('is_historical', () => boolOf(f));
        break;
      case 6:
        isTransient = within('is_transient', () => boolOf(f));
        break;
      case 7:
        isNull = within('is_null', () => boolOf(f));
        break;
      case 8:
        metadata = within('metadata', () => decodeMetaData(bytesOf(f)));
        break;
      case 9:
        properties = within('properties', () => decodePropertySet(bytesOf(f), depth + 1));
        break;
      default:
        // oneof value: the last member on the wire wins, as in every protobuf implementation.
        if (f.field >= 10 && f.field <= 19) raw = f;
        else throw new ProtoError(`unknown Sparkplug metric field ${f.field}`);
    }
  }
  // Keys in reading order for the JSON tree: name, alias, …, value, then properties and metadata.
  const metric = {} as SparkplugMetric;
  if (name !== undefined) metric.name = name;
  if (alias !== undefined) metric.alias = alias;
  if (timestamp !== undefined) metric.timestamp = timestamp;
  if (datatype !== undefined) {
    metric.datatype = datatype;
    metric.datatypeName = DATA_TYPES[datatype] ?? 'Unknown';
  }
  if (isHistorical !== undefined) metric.isHistorical = isHistorical;
  if (isTransient !== undefined) metric.isTransient = isTransient;
  if (isNull !== undefined) metric.isNull = isNull;
  metric.value = null;
  // is_null means "no value" whatever else was sent.
  if (raw && !isNull) {
    const field = raw;
    const { value, error } = within(METRIC_VALUE_NAMES[field.field - 10] ?? 'value', () =>
      metricValue(field, datatype, depth),
    );
    metric.value = value;
    if (error !== undefined) metric.valueError = error;
  }
  if (properties !== undefined) metric.properties = properties;
  if (metadata !== undefined) metric.metadata = metadata;
  return metric;
}

const METRIC_VALUE_NAMES = [
  'int_value',
  'long_value',
  'float_value',
  'double_value',
  'boolean_value',
  'string_value',
  'bytes_value',
  'dataset_value',
  'template_value',
  'extension_value',
];

function metricValue(
  f: ProtoField,
  datatype: number | undefined,
  depth: number,
): { value: unknown; error?: string } {
  const kind = scalarMember(f, 10);
  if (kind) return { value: scalar(f, kind, datatype) };
  switch (f.field) {
    case 16: {
      const bytes = bytesOf(f);
      if (datatype !== undefined && PACKED_ARRAYS[datatype]) {
        try {
          return { value: PACKED_ARRAYS[datatype](bytes) };
        } catch (err) {
          if (!(err instanceof ArrayShapeError)) throw err;
          return { value: { base64: bytes.toString('base64') }, error: err.message };
        }
      }
      return { value: { base64: bytes.toString('base64') } };
    }
    case 17:
      return { value: decodeDataSet(bytesOf(f)) };
    case 18:
      return { value: decodeTemplate(bytesOf(f), depth + 1) };
    default:
      return { value: { extension: { base64: bytesOf(f).toString('base64') } } };
  }
}

// --- arrays (Sparkplug 3.0: bytes_value, little-endian packed) -------------------------------------------

/** The bytes of an array metric do not fit its datatype; reported on the metric, not as a decode failure. */
class ArrayShapeError extends Error {}

function fixedWidth(
  name: string,
  width: number,
  read: (buf: Buffer, offset: number) => unknown,
): (buf: Buffer) => unknown[] {
  return (buf) => {
    if (buf.length % width !== 0)
      throw new ArrayShapeError(`${name} of ${buf.length} bytes: not a multiple of ${width}`);
    const values = new Array<unknown>(buf.length / width);
    for (let i = 0; i < values.length; i++) values[i] = read(buf, i * width);
    return values;
  };
}

/** BooleanArray: a uint32 LE count, then the values packed 8 to a byte, most significant bit first. */
function booleanArray(buf: Buffer): boolean[] {
  if (buf.length < 4) throw new ArrayShapeError(`BooleanArray of ${buf.length} bytes: no 4-byte count`);
  const count = buf.readUInt32LE(0);
  const needed = Math.ceil(count / 8);
  if (buf.length - 4 !== needed)
    throw new ArrayShapeError(
      `BooleanArray of ${count} values needs ${needed} bytes after its count, has ${buf.length - 4}`,
    );
  const values = new Array<boolean>(count);
  for (let i = 0; i < count; i++) values[i] = ((buf[4 + (i >> 3)] as number) & (0x80 >> (i & 7))) !== 0;
  return values;
}

/** StringArray: UTF-8 strings, each followed by a NUL byte. */
function stringArray(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  if (buf[buf.length - 1] !== 0)
    throw new ArrayShapeError('StringArray: the last string is not NUL-terminated');
  const values: string[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0) continue;
    try {
      values.push(utf8Of(buf.subarray(start, i), `StringArray element ${values.length}`));
    } catch (err) {
      throw new ArrayShapeError((err as Error).message);
    }
    start = i + 1;
  }
  return values;
}

const PACKED_ARRAYS: Record<number, (buf: Buffer) => unknown[]> = {
  22: fixedWidth('Int8Array', 1, (b, o) => b.readInt8(o)),
  23: fixedWidth('Int16Array', 2, (b, o) => b.readInt16LE(o)),
  24: fixedWidth('Int32Array', 4, (b, o) => b.readInt32LE(o)),
  25: fixedWidth('Int64Array', 8, (b, o) => int64Value(b.readBigUInt64LE(o), true)),
  26: fixedWidth('UInt8Array', 1, (b, o) => b.readUInt8(o)),
  27: fixedWidth('UInt16Array', 2, (b, o) => b.readUInt16LE(o)),
  28: fixedWidth('UInt32Array', 4, (b, o) => b.readUInt32LE(o)),
  29: fixedWidth('UInt64Array', 8, (b, o) => int64Value(b.readBigUInt64LE(o), false)),
  30: fixedWidth('FloatArray', 4, (b, o) => jsonNumber(float32Number(b.readFloatLE(o)))),
  31: fixedWidth('DoubleArray', 8, (b, o) => jsonNumber(b.readDoubleLE(o))),
  32: booleanArray,
  33: stringArray,
  // Milliseconds since the epoch, like DateTime's uint64.
  34: fixedWidth('DateTimeArray', 8, (b, o) => int64Value(b.readBigUInt64LE(o), false)),
};

// --- DataSet --------------------------------------------------------------------------------------------

/** Repeated uint32 fields may come one varint per field or packed into one length-delimited field. */
function pushUint32s(f: ProtoField, into: number[]): void {
  if (f.wire !== WIRE_LEN) {
    into.push(uint32Of(f));
    return;
  }
  const buf = bytesOf(f);
  for (let pos = 0; pos < buf.length; ) {
    const v = readVarint(buf, pos);
    into.push(Number(BigInt.asUintN(32, v.value)));
    pos = v.next;
  }
}

function decodeDataSet(buf: Buffer): SparkplugDataSet {
  let numOfColumns: number | string | undefined;
  const columns: string[] = [];
  const types: number[] = [];
  const rowBytes: Buffer[] = [];
  const unknown: UnknownField[] = [];
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        numOfColumns = within('num_of_columns', () => int64Value(varintOf(f), false));
        break;
      case 2:
        columns.push(within(`columns[${columns.length}]`, () => stringOf(f)));
        break;
      case 3:
        within('types', () => pushUint32s(f, types));
        break;
      case 4:
        rowBytes.push(within(`rows[${rowBytes.length}]`, () => bytesOf(f)));
        break;
      default:
        unknown.push(unknownField(f));
    }
  }
  const rows = rowBytes.map((b, r) => within(`rows[${r}]`, () => decodeRow(b, types)));
  const width = rows.reduce((max, row) => Math.max(max, row.values.length), columns.length);
  const keys = uniqueKeys(
    Array.from({ length: width }, (_, i) => columns[i]),
    (i) => `column ${i + 1}`,
  );
  const warnings: string[] = [];
  if (numOfColumns !== undefined && numOfColumns !== columns.length)
    warnings.push(`num_of_columns is ${numOfColumns} but ${columns.length} column names are given`);
  if (types.length !== columns.length)
    warnings.push(`${types.length} column types for ${columns.length} columns`);
  const dataSet: SparkplugDataSet = {
    ...(numOfColumns !== undefined ? { numOfColumns } : {}),
    columns,
    types: types.map(typeName),
    rows: rows.map((row, r) => {
      if (row.values.length !== columns.length)
        warnings.push(`row ${r} has ${row.values.length} values for ${columns.length} columns`);
      const out: Record<string, unknown> = {};
      row.values.forEach((v, i) => {
        out[keys[i] as string] = v;
      });
      if (row.unknown.length > 0) out['(unknown fields)'] = row.unknown;
      return out;
    }),
  };
  if (warnings.length > 0) dataSet.warnings = warnings;
  if (unknown.length > 0) dataSet.unknownFields = unknown;
  return dataSet;
}

function decodeRow(buf: Buffer, types: readonly number[]): { values: unknown[]; unknown: UnknownField[] } {
  const values: unknown[] = [];
  const unknown: UnknownField[] = [];
  for (const f of readFields(buf)) {
    if (f.field === 1) {
      const i = values.length;
      values.push(within(`elements[${i}]`, () => decodeDataSetValue(bytesOf(f), types[i])));
    } else unknown.push(unknownField(f));
  }
  return { values, unknown };
}

/** A DataSetValue with no member set is a null cell. */
function decodeDataSetValue(buf: Buffer, datatype: number | undefined): unknown {
  let value: unknown = null;
  for (const f of readFields(buf)) {
    const kind = scalarMember(f, 1);
    if (kind) value = scalar(f, kind, datatype);
    else if (f.field === 7) value = { extension: { base64: bytesOf(f).toString('base64') } };
    else value = { unknownField: unknownField(f) };
  }
  return value;
}

// --- Template -------------------------------------------------------------------------------------------

function decodeTemplate(buf: Buffer, depth: number): SparkplugTemplate {
  checkNesting(depth);
  let version: string | undefined;
  let templateRef: string | undefined;
  let isDefinition: boolean | undefined;
  const metrics: SparkplugMetric[] = [];
  const parameters: { name?: string; value: SparkplugTypedValue }[] = [];
  const unknown: UnknownField[] = [];
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        version = within('version', () => stringOf(f));
        break;
      case 2: {
        const label = `metrics[${metrics.length}]`;
        metrics.push(within(label, () => decodeMetric(bytesOf(f), depth + 1)));
        break;
      }
      case 3: {
        const label = `parameters[${parameters.length}]`;
        parameters.push(within(label, () => decodeParameter(bytesOf(f))));
        break;
      }
      case 4:
        templateRef = within('template_ref', () => stringOf(f));
        break;
      case 5:
        isDefinition = within('is_definition', () => boolOf(f));
        break;
      default:
        unknown.push(unknownField(f));
    }
  }
  const template = {} as SparkplugTemplate;
  if (isDefinition !== undefined) template.isDefinition = isDefinition;
  if (templateRef !== undefined) template.templateRef = templateRef;
  if (version !== undefined) template.version = version;
  if (parameters.length > 0) {
    const keys = uniqueKeys(
      parameters.map((p) => p.name),
      (i) => `parameter ${i + 1}`,
    );
    template.parameters = Object.fromEntries(parameters.map((p, i) => [keys[i] as string, p.value]));
  }
  template.metrics = metrics;
  if (unknown.length > 0) template.unknownFields = unknown;
  return template;
}

function decodeParameter(buf: Buffer): { name?: string; value: SparkplugTypedValue } {
  let name: string | undefined;
  let type: number | undefined;
  let raw: ProtoField | undefined;
  for (const f of readFields(buf)) {
    if (f.field === 1) name = within('name', () => stringOf(f));
    else if (f.field === 2) type = within('type', () => uint32Of(f));
    else raw = f;
  }
  return { ...(name !== undefined ? { name } : {}), value: typedValue(type, false, raw, 9) };
}

/**
 * Type name, null flag and value of a template parameter or a property value: both have the six scalar
 * members from field 3 on and an extension member at `extensionField`; `special` reads any others.
 */
function typedValue(
  type: number | undefined,
  isNull: boolean,
  raw: ProtoField | undefined,
  extensionField: number,
  special?: (f: ProtoField) => unknown,
): SparkplugTypedValue {
  const out: SparkplugTypedValue = { value: null };
  if (type !== undefined) out.type = typeName(type);
  if (isNull) out.isNull = true;
  else if (raw) {
    const field = raw;
    const kind = scalarMember(field, 3);
    if (kind) out.value = within(`${kind}_value`, () => scalar(field, kind, type));
    else if (field.field === extensionField)
      out.value = within('extension_value', () => ({
        extension: { base64: bytesOf(field).toString('base64') },
      }));
    else out.value = special?.(field) ?? { unknownField: unknownField(field) };
  }
  return out;
}

// --- PropertySet / PropertySetList / MetaData -----------------------------------------------------------

function decodePropertySet(buf: Buffer, depth: number): SparkplugPropertySet {
  checkNesting(depth);
  const keys: string[] = [];
  const values: SparkplugTypedValue[] = [];
  const unknown: UnknownField[] = [];
  for (const f of readFields(buf)) {
    if (f.field === 1) keys.push(within(`keys[${keys.length}]`, () => stringOf(f)));
    else if (f.field === 2)
      values.push(within(`values[${values.length}]`, () => decodePropertyValue(bytesOf(f), depth)));
    else unknown.push(unknownField(f));
  }
  if (keys.length !== values.length)
    throw new ProtoError(`property set has ${keys.length} keys but ${values.length} values`);
  const names = uniqueKeys(keys, (i) => `property ${i + 1}`);
  const set: SparkplugPropertySet = Object.fromEntries(values.map((v, i) => [names[i] as string, v]));
  if (unknown.length > 0) set['(unknown fields)'] = { value: unknown };
  return set;
}

function decodePropertyValue(buf: Buffer, depth: number): SparkplugTypedValue {
  let type: number | undefined;
  let isNull = false;
  let raw: ProtoField | undefined;
  for (const f of readFields(buf)) {
    if (f.field === 1) type = within('type', () => uint32Of(f));
    else if (f.field === 2) isNull = within('is_null', () => boolOf(f));
    else raw = f;
  }
  return typedValue(type, isNull, raw, 11, (f) => {
    if (f.field === 9) return within('propertyset_value', () => decodePropertySet(bytesOf(f), depth + 1));
    if (f.field === 10)
      return within('propertysets_value', () => decodePropertySetList(bytesOf(f), depth + 1));
    return undefined;
  });
}

function decodePropertySetList(buf: Buffer, depth: number): SparkplugPropertySet[] {
  checkNesting(depth);
  const sets: SparkplugPropertySet[] = [];
  for (const f of readFields(buf)) {
    if (f.field === 1)
      sets.push(within(`propertyset[${sets.length}]`, () => decodePropertySet(bytesOf(f), depth)));
  }
  return sets;
}

function decodeMetaData(buf: Buffer): SparkplugMetaData {
  const meta: SparkplugMetaData = {};
  const unknown: UnknownField[] = [];
  const str = (f: ProtoField, label: string) => within(label, () => stringOf(f));
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        meta.isMultiPart = within('is_multi_part', () => boolOf(f));
        break;
      case 2:
        meta.contentType = str(f, 'content_type');
        break;
      case 3:
        meta.size = within('size', () => int64Value(varintOf(f), false));
        break;
      case 4:
        meta.seq = within('seq', () => int64Value(varintOf(f), false));
        break;
      case 5:
        meta.fileName = str(f, 'file_name');
        break;
      case 6:
        meta.fileType = str(f, 'file_type');
        break;
      case 7:
        meta.md5 = str(f, 'md5');
        break;
      case 8:
        meta.description = str(f, 'description');
        break;
      default:
        unknown.push(unknownField(f));
    }
  }
  if (unknown.length > 0) meta.unknownFields = unknown;
  return meta;
}
