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

/** How each kind of field is read: the tolerant rules above. */
const tolerantFields = {
  text,
  count,
  flag,
  stringMap,
  anyMap,
  object: optionalObject,
  array: optionalArray,
};
type Fields = typeof tolerantFields;

/**
 * The same fields read exactly: only the documented types, nothing converted. What these accept,
 * the tolerant fields accept too and give back unchanged, so where this schema succeeds its
 * result is the tolerant one; it has no preprocessing step, which is most of the tolerant
 * schema's cost on an answer. The cast keeps the static types the tolerant schema's, which
 * they are on success.
 */
const exactFields = {
  text: z.string().optional(),
  count: z.number().optional(),
  flag: z.boolean().optional(),
  stringMap: z.record(z.string(), z.string()).optional(),
  anyMap: z.record(z.string(), z.unknown()).optional(),
  object: <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape).optional(),
  array: <T extends z.ZodType>(item: T) => z.array(item).optional(),
} as unknown as Fields;

/** The job and task schemas, of one way of reading fields. */
function jobSchemas(f: Fields) {
  const managedFieldsEntry = z.looseObject({
    manager: f.text,
    operation: f.text,
    apiVersion: f.text,
    time: f.text,
    fieldsType: f.text,
    fieldsV1: f.anyMap,
  });

  const ownerReference = z.looseObject({
    apiVersion: f.text,
    kind: f.text,
    name: f.text,
    uid: f.text,
    controller: f.flag,
    blockOwnerDeletion: f.flag,
  });

  const objectMeta = {
    uid: f.text,
    name: f.text,
    generateName: f.text,
    namespace: f.text,
    labels: f.stringMap,
    annotations: f.stringMap,
    creationTimestamp: f.text,
    updateTimestamp: f.text,
    resourceVersion: f.text,
    /** Documented as a string (unlike Kubernetes' integer); kept a string. */
    generation: f.text,
    managedFields: f.array(managedFieldsEntry),
    ownerReferences: f.array(ownerReference),
  };

  const statusShape = {
    /** Job: Running, TimedOut, Succeeded, Failed. Task: undocumented, kept verbatim. */
    status: f.text,
    reason: f.text,
    startTime: f.text,
    finishTime: f.text,
  };

  const task = z.looseObject({
    kind: f.text,
    apiVersion: f.text,
    metadata: f.object(objectMeta),
    spec: f.object({
      jobID: f.text,
      target: f.text,
      targetType: f.text,
      waitTimeOut: f.count,
      type: f.text,
      /** "parallel" or "serial". */
      runway: f.text,
    }),
    status: f.object(statusShape),
  });

  const job = z.looseObject({
    kind: f.text,
    apiVersion: f.text,
    metadata: f.object(objectMeta),
    spec: f.object({
      taskList: f.array(task),
      domainID: f.text,
      /** "create" or "retry". */
      operation: f.text,
      /** Seconds. */
      waitTimeOut: f.count,
      type: f.text,
      relatedObjects: f.stringMap,
      extendParam: f.anyMap,
    }),
    status: f.object(statusShape),
  });
  return { task, job };
}

const tolerant = jobSchemas(tolerantFields);
const exact = jobSchemas(exactFields);

export const ucsTaskSchema = tolerant.task;
export const ucsJobSchema = tolerant.job;
/** parseUcsJob's fast path (exported for its tests). */
export const exactUcsJobSchema = exact.job;

/**
 * ucsJobSchema.safeParse, faster on the usual answer: the exact schema first, and the tolerant
 * one (its result, its errors) only for an answer that needs its rules or fails.
 */
export function parseUcsJob(value: unknown): z.ZodSafeParseResult<UcsJob> {
  const fast = exact.job.safeParse(value);
  return fast.success ? fast : ucsJobSchema.safeParse(value);
}

export type UcsJob = z.output<typeof ucsJobSchema>;
export type UcsTask = z.output<typeof ucsTaskSchema>;
export type UcsObjectMeta = NonNullable<UcsJob['metadata']>;
export type UcsJobSpec = NonNullable<UcsJob['spec']>;
export type UcsJobStatus = NonNullable<UcsJob['status']>;
