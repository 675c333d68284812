import { z } from 'zod';
import {
  durationSchema,
  faultRuleSchema,
  parseScenario,
  ScenarioError,
  zodIssues,
} from './scenario-schema.js';
import type { SimClock } from './clock.js';
import type { Duration } from './duration.js';
import type { FaultRule } from './faults.js';
import type { JobFlip, JobStore, JobSummary } from './job-store.js';
import type { SimStatsSnapshot } from './request-stats.js';
import type { FaultRuleInput, JobInput, ScenarioInput } from './scenario-schema.js';
import { SimulatorError } from './simulator-error.js';
import { jsonResponse, type SimResponse } from './ucs-errors.js';

/** What the admin API may do to a simulator (UcsSimulator implements it). */
export interface SimulatorAdmin {
  readonly clock: SimClock;
  setJob(input: JobInput): void;
  removeJob(id: string): boolean;
  loadScenario(input: ScenarioInput): void;
  setJobStatus(id: string, flip: JobFlip): void;
  advanceJob(id: string, by: Duration): void;
  restartTimelines(): void;
  jobs(): JobSummary[];
  inspectJob(id: string): ReturnType<JobStore['inspect']>;
  setFault(input: FaultRuleInput): FaultRule;
  removeFault(id: string): boolean;
  clearFaults(): void;
  faults(): readonly FaultRule[];
  revokeTokens(token?: string): number;
  requestCount(jobID: string): number;
  stats(): SimStatsSnapshot;
  resetStats(): void;
  reset(): void;
}

// The test-only control API under /_sim/ (never under /v1, so no client can mistake it for
// UCS). Every route maps onto a public method of UcsSimulator: tests in the same process call
// those directly, benchmarks and the demo drive a simulator in another process through here.

const statusFlipSchema = z.strictObject({
  status: z.string().min(1),
  reason: z.string().optional(),
});

const jobFlipSchema = z.strictObject({
  status: z.string().min(1).optional(),
  reason: z.string().optional(),
  tasks: z.record(z.string(), statusFlipSchema).optional(),
});

const advanceSchema = z.strictObject({ by: durationSchema });

const revokeSchema = z.strictObject({ token: z.string().optional() });

const faultListSchema = z.strictObject({ faults: z.array(faultRuleSchema) });

const clockSchema = z.strictObject({
  advance: durationSchema.optional(),
  set: z.iso.datetime({ offset: true }).optional(),
  freeze: z.boolean().optional(),
  reset: z.boolean().optional(),
});

export const ADMIN_ROUTES = [
  'GET    /_sim/                          this list',
  'GET    /_sim/stats                     counters: requests by status, auth method, fault; per-job and per-list-kind counts',
  'DELETE /_sim/stats                     zero the counters',
  'GET    /_sim/jobs                      every job with its current status',
  'GET    /_sim/jobs/{id}                 one job as compiled (timelines in ms) and its request count',
  'PUT    /_sim/jobs/{id}                 add or replace a job (scenario job syntax; times count from now)',
  'DELETE /_sim/jobs/{id}                 remove a job (then 404)',
  'POST   /_sim/jobs/{id}/status          {"status","reason","tasks":{"<target>":{"status","reason"}}}: from now on',
  'POST   /_sim/jobs/{id}/advance         {"by":"30s"}: move the job\'s timeline forward',
  'PUT    /_sim/scenario                  replace every job with a scenario (YAML or JSON), timed from now',
  'POST   /_sim/start                     restart every job timeline (and scenario fault window) now',
  'GET    /_sim/faults                    fault rules in force',
  'POST   /_sim/faults                    add a fault rule, e.g. {"errorRate":1,"for":"30s"}',
  'PUT    /_sim/faults                    {"faults":[...]}: replace every fault rule',
  'DELETE /_sim/faults[/{id}]             remove every fault rule, or one',
  'POST   /_sim/tokens/revoke             {"token":"..."}: revoke one token; {}: every issued IAM token',
  'GET    /_sim/clock                     the simulated clock',
  'POST   /_sim/clock                     {"advance":"25h"} | {"set":"<RFC 3339>"} | {"freeze":true|false} | {"reset":true}',
  'POST   /_sim/reset                     back to the start state (jobs, faults, tokens, counters, clock)',
];

type AdminError = { status: number; reason: string; message: string; issues?: unknown };

function failure(error: AdminError): SimResponse {
  const body: Record<string, unknown> = { reason: error.reason, message: error.message };
  if (error.issues !== undefined) body.issues = error.issues;
  return jsonResponse(error.status, { error: body });
}

class AdminRequestError extends Error {
  constructor(readonly detail: AdminError) {
    super(detail.message);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AdminRequestError({
      status: 400,
      reason: 'InvalidJson',
      message: `the body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}

function bodyAs<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  const result = schema.safeParse(parseJson(text));
  if (!result.success) {
    throw new AdminRequestError({
      status: 400,
      reason: 'InvalidBody',
      message: 'the body does not fit the route',
      issues: zodIssues(result.error),
    });
  }
  return result.data;
}

function clockState(sim: SimulatorAdmin): SimResponse {
  return jsonResponse(200, {
    now: new Date(sim.clock.now()).toISOString(),
    frozen: sim.clock.frozen,
  });
}

function jobRoute(
  sim: SimulatorAdmin,
  method: string,
  id: string,
  action: string | undefined,
  body: string,
): SimResponse {
  if (action === undefined && method === 'GET') {
    const found = sim.inspectJob(id);
    if (found === undefined) throw new SimulatorError('UnknownJob', `no job "${id}"`);
    return jsonResponse(200, { ...found, requests: sim.requestCount(id) });
  }
  if (action === undefined && method === 'PUT') {
    const input = parseJson(body);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new AdminRequestError({
        status: 400,
        reason: 'InvalidBody',
        message: 'a job is a JSON object',
      });
    }
    const job = { id, ...input } as Record<string, unknown>;
    if (job.id !== id) {
      throw new AdminRequestError({
        status: 400,
        reason: 'InvalidBody',
        message: `body id "${String(job.id)}" is not "${id}"`,
      });
    }
    const existed = sim.inspectJob(id) !== undefined;
    sim.setJob(job);
    return jsonResponse(existed ? 200 : 201, { id });
  }
  if (action === undefined && method === 'DELETE') {
    if (!sim.removeJob(id)) throw new SimulatorError('UnknownJob', `no job "${id}"`);
    return jsonResponse(200, { id, removed: true });
  }
  if (action === 'status' && method === 'POST') {
    sim.setJobStatus(id, bodyAs(jobFlipSchema, body));
    return jsonResponse(200, { id });
  }
  if (action === 'advance' && method === 'POST') {
    sim.advanceJob(id, bodyAs(advanceSchema, body).by);
    return jsonResponse(200, { id });
  }
  return routeNotFound(method, `/_sim/jobs/${id}${action === undefined ? '' : `/${action}`}`);
}

function routeNotFound(method: string, path: string): SimResponse {
  return failure({
    status: 404,
    reason: 'NoSuchRoute',
    message: `no admin route ${method} ${path}; GET /_sim/ lists them`,
  });
}

function dispatch(sim: SimulatorAdmin, method: string, path: string, body: string): SimResponse {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .slice(1)
    .map(decodeURIComponent);
  const [resource, id, action, extra] = parts;
  const key = `${method} ${parts.join('/')}`;
  switch (key) {
    case 'GET ':
      return jsonResponse(200, { routes: ADMIN_ROUTES });
    case 'GET stats':
      return jsonResponse(200, sim.stats());
    case 'DELETE stats':
      sim.resetStats();
      return jsonResponse(200, { reset: true });
    case 'GET jobs':
      return jsonResponse(200, { jobs: sim.jobs() });
    case 'PUT scenario':
      sim.loadScenario(parseScenario(body, 'request body'));
      return jsonResponse(200, { jobs: sim.jobs().length });
    case 'POST start':
      sim.restartTimelines();
      return jsonResponse(200, { restarted: true });
    case 'GET faults':
      return jsonResponse(200, { faults: sim.faults() });
    case 'POST faults':
      return jsonResponse(201, { fault: sim.setFault(bodyAs(faultRuleSchema, body)) });
    case 'PUT faults': {
      const { faults } = bodyAs(faultListSchema, body);
      sim.clearFaults();
      return jsonResponse(200, { faults: faults.map((f) => sim.setFault(f)) });
    }
    case 'DELETE faults':
      sim.clearFaults();
      return jsonResponse(200, { faults: [] });
    case 'POST tokens/revoke':
      return jsonResponse(200, { revoked: sim.revokeTokens(bodyAs(revokeSchema, body).token) });
    case 'GET clock':
      return clockState(sim);
    case 'POST clock': {
      const change = bodyAs(clockSchema, body);
      if (change.reset === true) sim.clock.reset();
      if (change.set !== undefined) sim.clock.set(Date.parse(change.set));
      if (change.advance !== undefined) sim.clock.advance(change.advance);
      if (change.freeze === true) sim.clock.freeze();
      if (change.freeze === false) sim.clock.resume();
      return clockState(sim);
    }
    case 'POST reset':
      sim.reset();
      return jsonResponse(200, { reset: true });
    default:
      break;
  }
  if (resource === 'faults' && id !== undefined && action === undefined && method === 'DELETE') {
    if (!sim.removeFault(id)) throw new SimulatorError('UnknownFault', `no fault "${id}"`);
    return jsonResponse(200, { removed: id });
  }
  if (resource === 'jobs' && id !== undefined && extra === undefined)
    return jobRoute(sim, method, id, action, body);
  return routeNotFound(method, path);
}

/** Answers one admin request; errors become 400/404 bodies {"error":{reason,message,issues}}. */
export function handleAdmin(
  sim: SimulatorAdmin,
  method: string,
  path: string,
  body: string,
): SimResponse {
  try {
    return dispatch(sim, method, path, body);
  } catch (err) {
    if (err instanceof AdminRequestError) return failure(err.detail);
    if (err instanceof ScenarioError) {
      return failure({
        status: 400,
        reason: 'InvalidScenario',
        message: err.message,
        issues: err.issues,
      });
    }
    if (err instanceof SimulatorError) {
      const status = err.reason === 'UnknownJob' || err.reason === 'UnknownFault' ? 404 : 400;
      return failure({ status, reason: err.reason, message: err.message });
    }
    if (err instanceof URIError)
      return failure({ status: 400, reason: 'InvalidPath', message: err.message });
    throw err;
  }
}
