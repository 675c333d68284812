/**
 * The UCS job as GET /v1/policy/jobs/{jobid} returns it: the schema is the one source of
 * truth for both the TypeScript types and the runtime check.
 *
 * Tolerance rules (the API's types are documented loosely and every field may be missing):
 * - Every field is optional; `null` counts as absent; unknown fields are kept (loose objects).
 * - Scalars are tolerant where the value is still unambiguous: a number or boolean where a
 *   string is documented becomes its string (`generation: 3` -> "3"); a numeric string where a
 *   number is documented becomes the number ("3600" -> 3600); "true"/"false" become booleans.
 * - Anything that cannot be represented (an object where a string belongs, "soon" for
 *   waitTimeOut) and every structurally wrong container (taskList not an array, metadata not
 *   an object) makes the whole answer InvalidResponse. A half-understood job is never
 *   reported: an empty task list or a dropped status would look like real data.
 */
import { z } from 'zod';

const absentIfNull = (value: unknown): unknown => (value === null ? undefined : value);

/** A documented string; numbers and booleans are accepted as their text. */
export const text = z
  .preprocess(
    (value) =>
      typeof value === 'number' || typeof value === 'boolean' ? String(value) : absentIfNull(value),
    z.string().optional(),
  )
  .optional();

/** A documented integer; numeric strings are accepted. Fractions are kept as they come. */
const count = z
  .preprocess((value) => {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      return Number(value);
    }
    return absentIfNull(value);
  }, z.number().optional())
  .optional();

const flag = z
  .preprocess((value) => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    return absentIfNull(value);
  }, z.boolean().optional())
  .optional();

/** Map<String,String>: scalar values as text, null entries dropped. */
export const stringMap = z
  .preprocess((value) => {
    if (value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry === null) continue;
      out[key] = typeof entry === 'number' || typeof entry === 'boolean' ? String(entry) : entry;
    }
    return out;
  }, z.record(z.string(), z.string()).optional())
  .optional();

/** Map<String,Object>: any JSON values. */
export const anyMap = z
  .preprocess(absentIfNull, z.record(z.string(), z.unknown()).optional())
  .optional();

export const optionalObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.preprocess(absentIfNull, z.looseObject(shape).optional()).optional();

const optionalArray = <T extends z.ZodType>(item: T) =>
  z.preprocess(absentIfNull, z.array(item).optional()).optional();

const managedFieldsEntry = z.looseObject({
  manager: text,
  operation: text,
  apiVersion: text,
  time: text,
  fieldsType: text,
  fieldsV1: anyMap,
});

const ownerReference = z.looseObject({
  apiVersion: text,
  kind: text,
  name: text,
  uid: text,
  controller: flag,
  blockOwnerDeletion: flag,
});

const objectMeta = {
  uid: text,
  name: text,
  generateName: text,
  namespace: text,
  labels: stringMap,
  annotations: stringMap,
  creationTimestamp: text,
  updateTimestamp: text,
  resourceVersion: text,
  /** Documented as a string (unlike Kubernetes' integer); kept a string. */
  generation: text,
  managedFields: optionalArray(managedFieldsEntry),
  ownerReferences: optionalArray(ownerReference),
};

const statusShape = {
  /** Job: Running, TimedOut, Succeeded, Failed. Task: undocumented, kept verbatim. */
  status: text,
  reason: text,
  startTime: text,
  finishTime: text,
};

export const ucsTaskSchema = z.looseObject({
  kind: text,
  apiVersion: text,
  metadata: optionalObject(objectMeta),
  spec: optionalObject({
    jobID: text,
    target: text,
    targetType: text,
    waitTimeOut: count,
    type: text,
    /** "parallel" or "serial". */
    runway: text,
  }),
  status: optionalObject(statusShape),
});

export const ucsJobSchema = z.looseObject({
  kind: text,
  apiVersion: text,
  metadata: optionalObject(objectMeta),
  spec: optionalObject({
    taskList: optionalArray(ucsTaskSchema),
    domainID: text,
    /** "create" or "retry". */
    operation: text,
    /** Seconds. */
    waitTimeOut: count,
    type: text,
    relatedObjects: stringMap,
    extendParam: anyMap,
  }),
  status: optionalObject(statusShape),
});

export type UcsJob = z.output<typeof ucsJobSchema>;
export type UcsTask = z.output<typeof ucsTaskSchema>;
export type UcsObjectMeta = NonNullable<UcsJob['metadata']>;
export type UcsJobSpec = NonNullable<UcsJob['spec']>;
export type UcsJobStatus = NonNullable<UcsJob['status']>;
