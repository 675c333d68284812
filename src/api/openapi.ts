import { z } from 'zod';

/**
 * zod schema -> Kubernetes structural OpenAPI v3 schema (the openAPIV3Schema of a CRD).
 * z.toJSONSchema does the walking; this module removes what Kubernetes does not accept and
 * refuses what a structural schema cannot express, so a zod construct that does not fit
 * fails the generator instead of producing a CRD the API server rejects.
 */

export interface OpenApiSchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

/** The order of keys in the output: what a reader of the YAML looks for first. */
const KEY_ORDER: readonly (keyof OpenApiSchema)[] = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'maxProperties',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'items',
  'additionalProperties',
  'required',
  'properties',
  'x-kubernetes-validations',
];
const KNOWN_KEYS = new Set<string>(KEY_ORDER);

/** Keys of JSON Schema that carry nothing Kubernetes needs (propertyNames: checked by CEL). */
const DROPPED_KEYS = new Set(['$schema', 'id', '$id', 'propertyNames']);

const INT32 = { min: -2147483648, max: 2147483647 };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SchemaConversionError extends Error {
  constructor(path: string, problem: string) {
    super(`${path || '<root>'}: ${problem}`);
    this.name = 'SchemaConversionError';
  }
}

function convertNode(json: JsonObject, path: string): OpenApiSchema {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    if (DROPPED_KEYS.has(key)) continue;
    if (!KNOWN_KEYS.has(key)) {
      throw new SchemaConversionError(path, `"${key}" has no place in a structural schema`);
    }
    out[key] = value;
  }
  const node = out as OpenApiSchema & JsonObject;

  if (node.type === undefined) throw new SchemaConversionError(path, 'no type');

  if (node.format === 'date-time') {
    // zod adds its own (UTC-only) pattern; the API server checks date-time itself.
    delete node.pattern;
  }
  if (node.type === 'integer') {
    const int32 =
      node.minimum !== undefined &&
      node.maximum !== undefined &&
      node.minimum >= INT32.min &&
      node.maximum <= INT32.max;
    if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
    if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
    if (node.minimum === INT32.min) delete node.minimum;
    if (node.maximum === INT32.max) delete node.maximum;
    node.format = int32 ? 'int32' : 'int64';
  }

  if (node.properties !== undefined) {
    const properties: Record<string, OpenApiSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) {
      properties[name] = convertNode(child as JsonObject, `${path}.${name}`);
    }
    node.properties = properties;
    if (Object.keys(properties).length === 0) delete node.properties;
    if (node.required?.length === 0) delete node.required;
  }
  if (node.items !== undefined) {
    if (!isObject(node.items)) throw new SchemaConversionError(path, 'items must be one schema');
    node.items = convertNode(node.items, `${path}[]`);
  }
  const additional: unknown = json.additionalProperties;
  if (additional === false || (isObject(additional) && Object.keys(additional).length === 0)) {
    // false: Kubernetes prunes unknown fields anyway; {}: "anything", which only
    // x-kubernetes-preserve-unknown-fields can say.
    delete node.additionalProperties;
  } else if (isObject(additional)) {
    if (node.properties !== undefined) {
      throw new SchemaConversionError(path, 'properties and additionalProperties together');
    }
    node.additionalProperties = convertNode(additional, `${path}{}`);
  } else if (additional !== undefined) {
    throw new SchemaConversionError(path, 'additionalProperties must be a schema');
  }
  return orderKeys(node);
}

function orderKeys(node: JsonObject): OpenApiSchema {
  const ordered: JsonObject = {};
  for (const key of KEY_ORDER) {
    if (node[key] !== undefined) ordered[key] = node[key];
  }
  return ordered;
}

/** The structural schema of a zod schema (its input side: optional fields stay optional). */
export function toStructuralSchema(schema: z.ZodType): OpenApiSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'throw',
    cycles: 'throw',
    reused: 'inline',
  }) as JsonObject;
  // $ref, $defs, anyOf, nullable, ... are not in KEY_ORDER: convertNode refuses them.
  return convertNode(json, '');
}
