import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { SEED_JOB_ID } from './seed-job-id.js';

// The scenario file format. Every time is relative to the moment the scenario starts (the
// simulator's start, POST /_sim/start, or the moment a job is added through the admin API).
// examples/ucs-sim/scenario.yaml is the commented reference; keep the two in step.

/** A duration ("30s", "1m30s", "250ms"; a bare number is milliseconds), parsed to milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like "30s", "1m30s" or "250ms", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms;
});

/** Statuses are free text: the documented ones are Running, Succeeded, Failed and TimedOut. */
const statusSchema = z.string().min(1, 'a status must not be empty');

const timelineEntrySchema = z.strictObject({
  at: durationSchema,
  status: statusSchema,
  reason: z.string().optional(),
});

export type TimelineEntryInput = z.input<typeof timelineEntrySchema>;

/**
 * How a job or task moves over time: either a full `timeline`, or the shorthand
 * `startAt` (Running from then) + `finishAt` (then `status`, default Succeeded, with `reason`).
 */
const phaseFields = {
  timeline: z.array(timelineEntrySchema).min(1).optional(),
  startAt: durationSchema.optional(),
  finishAt: durationSchema.optional(),
  status: statusSchema.optional(),
  reason: z.string().optional(),
};

function timelineOrShorthand(
  value: { timeline?: unknown; startAt?: unknown; finishAt?: unknown; status?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (value.timeline === undefined) return;
  for (const key of ['startAt', 'finishAt', 'status'] as const) {
    if (value[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `give either "timeline" or "${key}" (the startAt/finishAt/status shorthand), not both`,
      });
    }
  }
}

const rateSchema = z
  .number()
  .min(0, 'a rate is between 0 and 1')
  .max(1, 'a rate is between 0 and 1');

const faultFields = {
  /** Which API the fault hits: the UCS job API (default), the IAM token API, or both. */
  api: z.enum(['ucs', 'iam', 'all']).optional(),
  /** Only these UCS calls: one job's GET, the job list, or the calls that start jobs (default: all). */
  call: z.enum(['job', 'list', 'write']).optional(),
  /** Window start, relative to when the fault is set (default: at once). */
  from: durationSchema.optional(),
  /** Window length (default: for ever). */
  for: durationSchema.optional(),
  latency: durationSchema.optional(),
  errorRate: rateSchema.optional(),
  throttleRate: rateSchema.optional(),
  retryAfter: durationSchema.optional(),
  badGatewayRate: rateSchema.optional(),
  malformedRate: rateSchema.optional(),
  hangRate: rateSchema.optional(),
};

/** A fault scoped to one job, inside that job's definition. */
export const jobFaultSchema = z.strictObject(faultFields);

export type JobFaultSpec = z.output<typeof jobFaultSchema>;

/** A fault rule; `job` limits it to requests for that job ID. */
export const faultRuleSchema = z.strictObject({
  job: z.string().min(1).optional(),
  ...faultFields,
});

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRuleSpec = z.output<typeof faultRuleSchema>;

const taskSchema = z
  .strictObject({
    /** The cluster (or fleet) the task runs on; also the task's metadata.name, as in the seed. */
    target: z.string().min(1),
    targetType: z.string().optional(),
    uid: z.string().optional(),
    name: z.string().optional(),
    type: z.string().optional(),
    runway: z.string().optional(),
    waitTimeOut: z.number().int().optional(),
    ...phaseFields,
  })
  .superRefine(timelineOrShorthand);

export type TaskInput = z.input<typeof taskSchema>;

export const jobSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    /** Serve the API page's example response verbatim (under `id` when given). */
    seed: z.literal(true).optional(),
    /** Serve this JSON verbatim: for odd shapes, missing fields, unknown extra fields. */
    raw: z.unknown().optional(),
    /** The `kind` GET /v1/policy/jobs?kind= lists the job under (default EnablePolicy). */
    listKind: z.string().min(1).optional(),
    name: z.string().optional(),
    type: z.string().optional(),
    operation: z.string().optional(),
    domainID: z.string().optional(),
    waitTimeOut: z.number().int().optional(),
    runway: z.string().optional(),
    relatedObjects: z.record(z.string(), z.string()).optional(),
    extendParam: z.record(z.string(), z.unknown()).optional(),
    /** When the job starts to exist; before that it is 404 (default: at once). */
    createdAt: durationSchema.optional(),
    tasks: z.array(taskSchema).optional(),
    faults: z.array(jobFaultSchema).optional(),
    ...phaseFields,
  })
  .superRefine((job, ctx) => {
    timelineOrShorthand(job, ctx);
    if (job.seed === undefined && job.id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'a job needs an "id"' });
    }
    if (job.seed !== undefined && job.raw !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['raw'],
        message: '"seed" and "raw" exclude each other',
      });
    }
    if (job.raw !== undefined && (job.raw === null || typeof job.raw !== 'object')) {
      ctx.addIssue({ code: 'custom', path: ['raw'], message: '"raw" must be a JSON object' });
    }
    if (job.seed !== undefined || job.raw !== undefined) {
      const modelled = Object.keys(job).filter(
        (k) => !['id', 'seed', 'raw', 'faults', 'listKind'].includes(k),
      );
      for (const key of modelled) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" has no effect on a ${job.seed === undefined ? 'raw' : 'seed'} job`,
        });
      }
    }
  });

export type JobInput = z.input<typeof jobSchema>;
export type JobSpec = z.output<typeof jobSchema>;

const defaultsSchema = z.strictObject({
  type: z.string().optional(),
  operation: z.string().optional(),
  domainID: z.string().optional(),
  waitTimeOut: z.number().int().optional(),
  targetType: z.string().optional(),
  runway: z.string().optional(),
});

export type JobDefaults = z.output<typeof defaultsSchema>;

export const scenarioSchema = z.strictObject({
  /** Field values for every job that does not set them. */
  defaults: defaultsSchema.optional(),
  jobs: z.array(jobSchema).default([]),
  faults: z.array(faultRuleSchema).optional(),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

export interface ScenarioIssue {
  /** Where the problem is, as `jobs[1].tasks[0].finishAt`. */
  path: string;
  message: string;
}

/** A scenario that cannot be used; `issues` says where and why. */
export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super(
      `${source}: invalid scenario\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ScenarioError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function zodIssues(error: z.ZodError): ScenarioIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Validates an already parsed value against a schema, throwing a ScenarioError naming the paths. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ScenarioError(source, zodIssues(result.error));
  return result.data;
}

/**
 * Duplicate job ids, found on the raw value: zod skips whole-object refinements once any
 * field is invalid, and a scenario author wants every problem at once.
 */
function duplicateJobIds(value: unknown): ScenarioIssue[] {
  if (value === null || typeof value !== 'object' || !('jobs' in value)) return [];
  const jobs = value.jobs;
  if (!Array.isArray(jobs)) return [];
  const seen = new Map<string, number>();
  const issues: ScenarioIssue[] = [];
  jobs.forEach((job: unknown, index) => {
    if (job === null || typeof job !== 'object') return;
    const id = 'id' in job ? job.id : undefined;
    const key =
      typeof id === 'string' ? id : 'seed' in job && job.seed === true ? SEED_JOB_ID : undefined;
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      return;
    }
    issues.push({
      path: formatPath(['jobs', index, 'id']),
      message: `duplicate job id "${key}" (first at jobs[${first}])`,
    });
  });
  return issues;
}

/** Validates a scenario value (as parsed from YAML/JSON, or written in code). */
export function validateScenario(value: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(value);
  const issues = [...(result.success ? [] : zodIssues(result.error)), ...duplicateJobIds(value)];
  if (issues.length > 0 || !result.success) throw new ScenarioError(source, issues);
  return result.data;
}

/** Parses a YAML or JSON scenario text (JSON is YAML). */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    const message = err instanceof YAMLParseError ? err.message : String(err);
    throw new ScenarioError(source, [{ path: '(syntax)', message }]);
  }
  return validateScenario(document ?? {}, source);
}

export async function loadScenarioFile(path: string): Promise<Scenario> {
  return parseScenario(await readFile(path, 'utf8'), path);
}
