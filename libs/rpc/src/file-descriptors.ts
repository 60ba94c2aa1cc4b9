/**
 * FileDescriptorProtos of .proto files as protoc would write them, for server reflection: one
 * per source file under its import name, original (snake_case) field names with their JSON
 * names, `XxxEntry` map entry types, fully qualified type names, proto3 `optional` as
 * synthetic oneofs, and the file's imports as its dependencies.
 *
 * protobufjs parses the files (with keepCase); its own `toDescriptor` is not used because it
 * regroups files by package, names map entries after the field and writes relative type names,
 * which grpcurl and protoc-based clients reject.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { ProtoSourceError } from './errors.js';

/** .proto files to describe, by the names they are imported under. */
export interface ProtoSource {
  /** Folders the files and their imports are found in, first match wins. */
  readonly includeDirs: readonly string[];
  /** Import names, e.g. `simstream/v1/ingestion.proto`. */
  readonly files: readonly string[];
  /** Files kept on disk elsewhere than their import name says: import name → path. */
  readonly paths?: Readonly<Record<string, string>>;
}

/** The subset of google.protobuf.FileDescriptorProto we write (protobufjs JSON field names). */
export type FileDescriptor = descriptor.IFileDescriptorProto & { name: string };

type Message = descriptor.IDescriptorProto;
type FieldProto = descriptor.IFieldDescriptorProto & { proto3Optional?: boolean };

const SCALAR_TYPES: Readonly<Record<string, number>> = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  bytes: 12,
  uint32: 13,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/** protoc's json_name: underscores dropped, the letter after each one upper-cased. */
export function jsonName(field: string): string {
  return field.replace(/_+(.?)/g, (_, c: string) => c.toUpperCase());
}

/** protoc's map entry type name: `attributes` → `AttributesEntry`, `foo_bar` → `FooBarEntry`. */
export function mapEntryName(field: string): string {
  const camel = jsonName(field);
  return camel.charAt(0).toUpperCase() + camel.slice(1) + 'Entry';
}

type OptionsKind =
  | 'FileOptions'
  | 'MessageOptions'
  | 'FieldOptions'
  | 'EnumOptions'
  | 'EnumValueOptions'
  | 'ServiceOptions'
  | 'MethodOptions';

/**
 * Options that google.protobuf.<kind>Options defines, from protobufjs' options (as written in
 * the source, snake_case); custom `(ext)` options and protobufjs' own markers are left out.
 */
function optionsOf(kind: OptionsKind, options: Record<string, unknown> | undefined): object | undefined {
  if (options === undefined) return undefined;
  const type = descriptor[kind];
  const known: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const name = jsonName(key);
    if (type.fields[name] !== undefined && name !== 'uninterpretedOption') known[name] = value;
  }
  return Object.keys(known).length > 0 ? known : undefined;
}

function fieldType(field: protobuf.FieldBase): Pick<FieldProto, 'type' | 'typeName'> {
  const scalar = SCALAR_TYPES[field.type];
  if (scalar !== undefined) return { type: scalar };
  const resolved = field.resolve().resolvedType;
  if (resolved === null) throw new ProtoSourceError(`${field.fullName}: unresolved type ${field.type}`);
  return { type: resolved instanceof protobuf.Enum ? TYPE_ENUM : TYPE_MESSAGE, typeName: resolved.fullName };
}

/** A message's oneofs in protoc's order: declared ones first, then proto3 optional ones. */
function orderedOneofs(type: protobuf.Type): protobuf.OneOf[] {
  const synthetic = (o: protobuf.OneOf) => o.fieldsArray.some((f) => f.options?.proto3_optional === true);
  return [...type.oneofsArray.filter((o) => !synthetic(o)), ...type.oneofsArray.filter(synthetic)];
}

function mapEntry(field: protobuf.MapField): Message {
  const valueType = fieldType(field);
  return {
    name: mapEntryName(field.name),
    field: [
      { name: 'key', number: 1, label: LABEL_OPTIONAL, type: SCALAR_TYPES[field.keyType], jsonName: 'key' },
      { name: 'value', number: 2, label: LABEL_OPTIONAL, ...valueType, jsonName: 'value' },
    ],
    options: { mapEntry: true },
  };
}

function fieldProto(field: protobuf.Field, type: protobuf.Type, oneofs: protobuf.OneOf[]): FieldProto {
  const proto: FieldProto = { name: field.name, number: field.id, jsonName: jsonName(field.name) };
  if (field instanceof protobuf.MapField) {
    proto.label = LABEL_REPEATED;
    proto.type = TYPE_MESSAGE;
    proto.typeName = `${type.fullName}.${mapEntryName(field.name)}`;
  } else {
    proto.label = field.repeated ? LABEL_REPEATED : field.required ? LABEL_REQUIRED : LABEL_OPTIONAL;
    Object.assign(proto, fieldType(field));
  }
  if (field.partOf !== null) proto.oneofIndex = oneofs.indexOf(field.partOf);
  if (field.options?.proto3_optional === true) proto.proto3Optional = true;
  const fallback: unknown = field.options?.default;
  if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean')
    proto.defaultValue = String(fallback);
  const options = optionsOf('FieldOptions', field.options);
  if (options !== undefined) proto.options = options;
  return proto;
}

function reservedOf(reserved: protobuf.Type['reserved'], endExclusive: boolean) {
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r));
  const names = reserved.filter((r): r is string => typeof r === 'string');
  return {
    ranges: ranges.map(([start, end]) => ({ start, end: endExclusive ? end! + 1 : end })),
    names,
  };
}

function enumProto(type: protobuf.Enum): descriptor.IEnumDescriptorProto {
  const reserved = reservedOf(type.reserved ?? [], false);
  return {
    name: type.name,
    value: Object.entries(type.values).map(([name, number]) => {
      const options = optionsOf('EnumValueOptions', type.valuesOptions?.[name]);
      return { name, number, ...(options === undefined ? {} : { options }) };
    }),
    ...(reserved.ranges.length > 0 ? { reservedRange: reserved.ranges } : {}),
    ...(reserved.names.length > 0 ? { reservedName: reserved.names } : {}),
    ...withOptions('EnumOptions', type.options),
  };
}

function withOptions(kind: OptionsKind, options: Record<string, unknown> | undefined): { options?: object } {
  const known = optionsOf(kind, options);
  return known === undefined ? {} : { options: known };
}

/** `declared` is the type as parsed from its own file; `all` the root of all files, which resolves references. */
function messageProto(declared: protobuf.Type, all: protobuf.Root): Message {
  const resolved = all.lookupType(declared.fullName);
  if (declared.extensions !== undefined && declared.extensions.length > 0)
    throw new ProtoSourceError(`${declared.fullName}: extension ranges are not supported`);
  const oneofs = orderedOneofs(resolved);
  const nested = declared.nestedArray;
  const reserved = reservedOf(declared.reserved ?? [], true);
  return {
    name: declared.name,
    field: declared.fieldsArray.map((f) => fieldProto(resolved.fields[f.name]!, resolved, oneofs)),
    nestedType: [
      ...nested
        .filter((n): n is protobuf.Type => n instanceof protobuf.Type)
        .map((n) => messageProto(n, all)),
      ...declared.fieldsArray
        .filter((f) => f instanceof protobuf.MapField)
        .map((f) => mapEntry(resolved.fields[f.name] as protobuf.FieldBase as protobuf.MapField)),
    ],
    enumType: nested.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum).map(enumProto),
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
    ...(reserved.ranges.length > 0 ? { reservedRange: reserved.ranges } : {}),
    ...(reserved.names.length > 0 ? { reservedName: reserved.names } : {}),
    ...withOptions('MessageOptions', declared.options),
  };
}

function serviceProto(declared: protobuf.Service, all: protobuf.Root): descriptor.IServiceDescriptorProto {
  const resolved = all.lookupService(declared.fullName);
  return {
    name: declared.name,
    method: declared.methodsArray.map((m) => {
      const method = resolved.methods[m.name]!;
      method.resolve();
      return {
        name: m.name,
        inputType: method.resolvedRequestType!.fullName,
        outputType: method.resolvedResponseType!.fullName,
        ...(m.requestStream === true ? { clientStreaming: true } : {}),
        ...(m.responseStream === true ? { serverStreaming: true } : {}),
        ...withOptions('MethodOptions', m.options),
      };
    }),
    ...withOptions('ServiceOptions', declared.options),
  };
}

function locate(source: ProtoSource, name: string): string {
  const mapped = source.paths?.[name];
  if (mapped !== undefined) return mapped;
  for (const dir of source.includeDirs) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new ProtoSourceError(`${name}: not found in ${source.includeDirs.join(', ') || 'no include folder'}`);
}

interface Parsed {
  readonly name: string;
  readonly text: string;
  readonly syntax: string;
  /** The file parsed on its own: what it declares, in order, with its own options. */
  readonly result: protobuf.IParserResult;
}

function parseFile(source: ProtoSource, name: string): Parsed {
  const text = readFileSync(locate(source, name), 'utf8');
  if (/^\s*edition\s*=/m.test(text)) throw new ProtoSourceError(`${name}: editions are not supported`);
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']\s*;/m.exec(text)?.[1] ?? 'proto2';
  try {
    return { name, text, syntax, result: protobuf.parse(text, new protobuf.Root(), { keepCase: true }) };
  } catch (error) {
    throw new ProtoSourceError(`${name}: cannot parse`, error);
  }
}

/** Every file of `source` and what it imports, each after its dependencies (protoc's order). */
function parseAll(source: ProtoSource): Parsed[] {
  const done = new Map<string, Parsed>();
  const visit = (name: string, trail: readonly string[]) => {
    if (done.has(name)) return;
    if (trail.includes(name)) throw new ProtoSourceError(`import cycle: ${[...trail, name].join(' -> ')}`);
    const parsed = parseFile(source, name);
    for (const dependency of parsed.result.imports ?? []) visit(dependency, [...trail, name]);
    done.set(name, parsed);
  };
  for (const name of source.files) visit(name, []);
  return [...done.values()];
}

function fileDescriptor({ name, syntax, result }: Parsed, all: protobuf.Root): FileDescriptor {
  if ((result.weakImports ?? []).length > 0)
    throw new ProtoSourceError(`${name}: weak imports are not supported`);
  const ns = result.package === undefined ? result.root : result.root.lookup(result.package);
  if (!(ns instanceof protobuf.Namespace))
    throw new ProtoSourceError(`${name}: package ${result.package} not found`);
  const file: FileDescriptor = {
    name,
    dependency: result.imports ?? [],
    messageType: [],
    enumType: [],
    service: [],
    syntax,
    ...withOptions('FileOptions', ns.options),
  };
  if (result.package !== undefined) file.package = result.package;
  for (const declared of ns.nestedArray) {
    if (declared instanceof protobuf.Type) file.messageType!.push(messageProto(declared, all));
    else if (declared instanceof protobuf.Enum) file.enumType!.push(enumProto(declared));
    else if (declared instanceof protobuf.Service) file.service!.push(serviceProto(declared, all));
    else
      throw new ProtoSourceError(
        `${name}: ${declared.fullName}: extensions and nested packages are not supported`,
      );
  }
  return file;
}

/** The FileDescriptorProtos of `source.files` and their imports, dependencies first. */
export function fileDescriptors(source: ProtoSource): FileDescriptor[] {
  const parsed = parseAll(source);
  // All files parsed into one root resolve the type references across files.
  const all = new protobuf.Root();
  for (const { text } of parsed) protobuf.parse(text, all, { keepCase: true });
  all.resolveAll();
  return parsed.map((p) => fileDescriptor(p, all));
}

/** The same, serialized: what reflection's `file_descriptor_proto` fields carry. */
export function encodeFileDescriptors(files: readonly FileDescriptor[]): Buffer[] {
  return files.map((file) => Buffer.from(descriptor.FileDescriptorProto.encode(file).finish()));
}
