import { z } from 'zod';

/**
 * Kubernetes schema extensions carried as zod metadata, each with its runtime twin, so one
 * declaration gives the CRD (via z.toJSONSchema, see openapi.ts) and the zod validator.
 */

/** A rule the API server checks with CEL and the zod schema checks in TypeScript. */
export interface ValidationRule<T> {
  /** CEL expression; `self` is the value of the field that carries the rule. */
  rule: string;
  /** Shown when the rule fails; names the field, e.g. "spec.pollInterval must be ...". */
  message: string;
  /** The same rule in TypeScript. */
  holds: (value: T) => boolean;
}

export interface KubernetesValidation {
  rule: string;
  message: string;
}

/** Adds x-kubernetes-validations to the CRD and the same checks to the zod schema. */
export function withRules<S extends z.ZodType>(
  schema: S,
  rules: readonly ValidationRule<z.output<S>>[],
): S {
  let out = schema;
  for (const { holds, message } of rules) {
    out = out.refine((value) => holds(value), { error: message });
  }
  const validations: KubernetesValidation[] = rules.map(({ rule, message }) => ({
    rule,
    message,
  }));
  return out.meta({ 'x-kubernetes-validations': validations });
}

/** An atomic list of unique scalars (x-kubernetes-list-type: set). */
export function listSet<T extends z.ZodType<string | number | boolean>>(
  items: z.ZodArray<T>,
  duplicate: (value: z.output<T>) => string,
): z.ZodArray<T> {
  return items
    .superRefine((values, ctx) => {
      const seen = new Set<unknown>();
      values.forEach((value, index) => {
        if (seen.has(value))
          ctx.addIssue({ code: 'custom', path: [index], message: duplicate(value) });
        seen.add(value);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'set' });
}

/**
 * A list of objects keyed by one field (x-kubernetes-list-type: map): server-side apply merges
 * entries by that key, and the API server refuses two entries with the same key.
 */
export function listMap<T extends z.ZodObject, K extends keyof z.output<T> & string>(
  items: z.ZodArray<T>,
  key: K,
  duplicate: (value: z.output<T>[K]) => string,
): z.ZodArray<T> {
  return items
    .superRefine((values, ctx) => {
      const seen = new Set<unknown>();
      values.forEach((value, index) => {
        const k = value[key];
        if (seen.has(k))
          ctx.addIssue({ code: 'custom', path: [index, key], message: duplicate(k) });
        seen.add(k);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}

/** A map of string to string with bounded keys, values and size. */
export function boundedMap(options: {
  maxKeyLength: number;
  maxValueLength: number;
  maxProperties: number;
}) {
  const { maxKeyLength, maxValueLength, maxProperties } = options;
  const record = z
    .record(z.string(), z.string().max(maxValueLength))
    .refine((value) => Object.keys(value).length <= maxProperties, {
      error: `must have at most ${maxProperties} entries`,
    });
  return withRules(record, [
    {
      rule: `self.all(k, k.size() <= ${maxKeyLength})`,
      message: `keys must be at most ${maxKeyLength} characters`,
      holds: (value) => Object.keys(value).every((k) => k.length <= maxKeyLength),
    },
  ]).meta({ maxProperties });
}

/**
 * An object whose fields the API server keeps as they are (x-kubernetes-preserve-unknown-fields),
 * for values copied verbatim from UCS whose shape is unknown. The CRD can bound only the number
 * of top-level fields; the size of the JSON is checked at run time.
 */
export function preserveUnknownFields(options: { maxProperties: number; maxJsonLength: number }) {
  const { maxProperties, maxJsonLength } = options;
  return z
    .record(z.string(), z.unknown())
    .refine((value) => Object.keys(value).length <= maxProperties, {
      error: `must have at most ${maxProperties} fields`,
    })
    .refine((value) => JSON.stringify(value).length <= maxJsonLength, {
      error: `must be at most ${maxJsonLength} characters of JSON`,
    })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true, maxProperties });
}
