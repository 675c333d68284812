import { hash } from 'node:crypto';
import type { AuthStrategy, PreparedAuth } from './auth/auth-strategy.js';
import { credentialsProblem, type UcsCredentials } from './credentials.js';
import {
  errorFromAnswer,
  headerText,
  redactError,
  ucsError,
  type HttpAnswer,
  type UcsError,
} from './errors.js';
import type { HttpOutcome, HttpSender } from './http/http-sender.js';
import type { UcsJob } from './job.js';
import { parseJob } from './parse-job.js';
import { parseJobList, type JobList } from './parse-job-list.js';

/**
 * A job read from UCS. `digest` identifies the answer's body (SHA-256): the same digest is the
 * same body, so the same job.
 */
export type GetJobResult =
  { ok: true; job: UcsJob; digest: string; requestID?: string } | { ok: false; error: UcsError };

/** The answer of getJob(jobID, digest) when UCS sent the body that digest names again. */
export interface UnchangedJob {
  ok: true;
  unchanged: true;
  digest: string;
  requestID?: string;
}

export type ListJobsResult =
  { ok: true; list: JobList; requestID?: string } | { ok: false; error: UcsError };

/** The verbs the operator needs: read a job, and list the jobs of a kind. */
export interface JobFetcher {
  getJob(jobID: string): Promise<GetJobResult>;
  /** The same call; a body whose digest is `digest` comes back as UnchangedJob, not parsed. */
  getJob(jobID: string, digest: string | undefined): Promise<GetJobResult | UnchangedJob>;
  listJobs(kind: string): Promise<ListJobsResult>;
}

const MAX_KIND_LENGTH = 256;

export const JOBS_PATH = '/v1/policy/jobs/';
/** A Retry-After pauses this client's calls for at most this long. */
const MAX_PAUSE_MS = 10 * 60_000;
const MAX_JOB_ID_LENGTH = 256;
// encodeURIComponent throws on these (String.prototype.isWellFormed is ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What a UcsClient needs from the transport that made it. */
export interface ClientContext {
  http: HttpSender;
  auth: AuthStrategy;
  /** Shares one request among concurrent callers of the same key. */
  shared: (
    key: string,
    task: () => Promise<GetJobResult | UnchangedJob>,
  ) => Promise<GetJobResult | UnchangedJob>;
  /** endpoint + credentials fingerprint: the single-flight key prefix. */
  identity: string;
  secrets: readonly string[];
  now: () => number;
}

/**
 * A UCS jobs client for one endpoint and one set of credentials. Make it through
 * UcsTransport.client(), which shares rate limit, connections and tokens process-wide.
 *
 * getJob never throws: API and network problems come back as `{ ok: false, error }`. It does
 * not retry (the operator's queue backs off and retries); the one exception is a 401/403 with
 * IAM password credentials, answered by fetching a new token and trying once more.
 */
export class UcsClient implements JobFetcher {
  readonly #context: ClientContext;
  readonly #endpoint: URL | UcsError;
  readonly #credentialsProblem: string | undefined;
  /** After a 429 with Retry-After: no call before `until` (every job, every resource). */
  #paused: { until: number; error: UcsError } | undefined;

  constructor(endpoint: string, credentials: UcsCredentials, context: ClientContext) {
    this.#context = context;
    this.#endpoint = parseEndpoint(endpoint);
    this.#credentialsProblem = credentialsProblem(credentials);
  }

  getJob(jobID: string): Promise<GetJobResult>;
  /**
   * With the digest of an answer the caller already holds: when UCS sends that body again, the
   * result is UnchangedJob and the body is not parsed (a job polled while nothing happens to it
   * costs a hash, not a parse).
   */
  getJob(jobID: string, digest: string | undefined): Promise<GetJobResult | UnchangedJob>;
  getJob(jobID: string, digest?: string): Promise<GetJobResult | UnchangedJob> {
    const invalid = this.validate(jobID);
    if (invalid !== undefined) return Promise.resolve({ ok: false, error: invalid });
    const endpoint = this.#endpoint as URL;
    const paused = this.pausedError();
    if (paused !== undefined) return Promise.resolve({ ok: false, error: paused });
    return this.#context.shared(
      `${this.#context.identity}\u0000${jobID}\u0000${digest ?? ''}`,
      () =>
        this.call(endpoint, JOBS_PATH + encodeURIComponent(jobID), 'ShowPolicyJob', (answer) =>
          interpretJob(answer, digest),
        ),
    );
  }

  /**
   * GET /v1/policy/jobs?kind=KIND ("Obtaining the Policy Instance Job List"), with the same
   * auth, errors and Retry-After pause as getJob. Not single-flight here: the operator's list
   * cache shares one request among resources.
   */
  listJobs(kind: string): Promise<ListJobsResult> {
    const invalid =
      this.validateClient() ??
      (kind === '' || kind.length > MAX_KIND_LENGTH || LONE_SURROGATE.test(kind)
        ? ucsError('InvalidRequest', 'the job list kind is empty, too long or not well-formed')
        : undefined);
    if (invalid !== undefined) return Promise.resolve({ ok: false, error: invalid });
    const paused = this.pausedError();
    if (paused !== undefined) return Promise.resolve({ ok: false, error: paused });
    const path = `${JOBS_PATH.replace(/\/$/, '')}?kind=${encodeURIComponent(kind)}`;
    return this.call(this.#endpoint as URL, path, 'ListPolicyJobs', interpretList);
  }

  /** One authenticated GET, its answer interpreted; never throws. */
  private async call<T extends { ok: true } | { ok: false; error: UcsError }>(
    endpoint: URL,
    path: string,
    operation: string,
    interpret: (answer: HttpAnswer) => T | { ok: false; error: UcsError },
  ): Promise<T | { ok: false; error: UcsError }> {
    try {
      const result = await this.exchange(endpoint, path, operation, interpret);
      if (!result.ok) this.pauseFor(result.error);
      return result;
    } catch (err) {
      // Nothing here should throw; if a bug does, the operator still gets a value.
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        error: redactError(
          ucsError('Unavailable', `internal client error: ${message}`),
          this.#context.secrets,
        ),
      };
    }
  }

  /**
   * UCS throttles per caller: a 429 with Retry-After holds back every call of this client (one
   * endpoint, one set of credentials), not just the one resource that got it.
   */
  private pauseFor(error: UcsError): void {
    if (error.reason !== 'Throttled' || !error.retryAfterSeconds) return;
    const until = this.#context.now() + Math.min(error.retryAfterSeconds * 1000, MAX_PAUSE_MS);
    if (this.#paused !== undefined && this.#paused.until >= until) return;
    this.#paused = { until, error };
  }

  private pausedError(): UcsError | undefined {
    const paused = this.#paused;
    if (paused === undefined) return undefined;
    const leftMs = paused.until - this.#context.now();
    if (leftMs <= 0) {
      this.#paused = undefined;
      return undefined;
    }
    return {
      ...paused.error,
      retryAfterSeconds: Math.ceil(leftMs / 1000),
      message: `${paused.error.message} (calls with these credentials wait until ${new Date(paused.until).toISOString()}, as Retry-After asked; not sent)`,
    };
  }

  private validateClient(): UcsError | undefined {
    if (!(this.#endpoint instanceof URL)) return this.#endpoint;
    if (this.#credentialsProblem !== undefined) {
      return ucsError('InvalidRequest', this.#credentialsProblem);
    }
    return undefined;
  }

  private validate(jobID: string): UcsError | undefined {
    const invalid = this.validateClient();
    if (invalid !== undefined) return invalid;
    // An empty ID would read the job list; '.' and '..' are dot-segments that URL parsers
    // resolve (even when percent-encoded), so they could never reach the job path intact.
    if (jobID === '' || jobID === '.' || jobID === '..') {
      return ucsError('InvalidRequest', `"${jobID}" is not a job ID`);
    }
    if (jobID.length > MAX_JOB_ID_LENGTH) {
      return ucsError(
        'InvalidRequest',
        `the job ID is longer than ${MAX_JOB_ID_LENGTH} characters`,
      );
    }
    if (LONE_SURROGATE.test(jobID)) {
      return ucsError('InvalidRequest', 'the job ID is not well-formed Unicode');
    }
    return undefined;
  }

  private async exchange<T extends { ok: true } | { ok: false; error: UcsError }>(
    endpoint: URL,
    path: string,
    operation: string,
    interpret: (answer: HttpAnswer) => T | { ok: false; error: UcsError },
  ): Promise<T | { ok: false; error: UcsError }> {
    const { auth, secrets } = this.#context;
    let attempt = await this.attempt(endpoint, path, operation);
    const usedSecrets = attempt.prepared?.secrets ?? [];
    let renewed = false;
    // One renewal: an IAM token can be revoked before expires_at, an account ID looked up anew.
    if (
      attempt.prepared !== undefined &&
      attempt.outcome.ok &&
      (attempt.outcome.answer.status === 401 || attempt.outcome.answer.status === 403) &&
      auth.rejected(attempt.prepared, attempt.outcome.answer.status)
    ) {
      attempt = await this.attempt(endpoint, path, operation);
      renewed = true;
    }
    const allSecrets = [...secrets, ...(attempt.prepared?.secrets ?? []), ...usedSecrets];
    let result = this.interpret(attempt.outcome, allSecrets, interpret);
    if (renewed && !result.ok && attempt.prepared !== undefined) {
      const { error } = result;
      if (error.reason === 'Unauthorized' || error.reason === 'Forbidden') {
        result = {
          ok: false,
          error: { ...error, message: `${error.message} (also with ${auth.renewal})` },
        };
      }
    }
    // An issued IAM token is as secret as the password: redact both.
    return redactResult(result, allSecrets);
  }

  private async attempt(
    endpoint: URL,
    path: string,
    operation: string,
  ): Promise<{ outcome: HttpOutcome; prepared?: PreparedAuth }> {
    const prepared = await this.#context.auth.prepare();
    if (!prepared.ok) return { outcome: { ok: false, error: prepared.error } };
    const outcome = await this.#context.http.send({
      endpoint,
      method: 'GET',
      path,
      headers: {},
      body: '',
      service: 'UCS',
      operation,
      authorize: (request) => prepared.auth.headers(request),
    });
    return { outcome, prepared: prepared.auth };
  }

  private interpret<T>(
    outcome: HttpOutcome,
    secrets: readonly string[],
    interpret: (answer: HttpAnswer) => T | { ok: false; error: UcsError },
  ): T | { ok: false; error: UcsError } {
    if (!outcome.ok) return outcome;
    const { answer } = outcome;
    if (answer.status < 200 || answer.status >= 300) {
      return { ok: false, error: errorFromAnswer(answer, 'UCS', this.#context.now(), secrets) };
    }
    return interpret(answer);
  }
}

/** A 2xx answer whose body could not be read. */
function invalidAnswer(answer: HttpAnswer, problem: string): { ok: false; error: UcsError } {
  const requestID = headerText(answer.headers['x-request-id']);
  const extra: Parameters<typeof ucsError>[2] = { httpStatus: answer.status };
  if (requestID !== undefined) extra.requestID = requestID;
  return {
    ok: false,
    error: ucsError('InvalidResponse', `UCS answered HTTP ${answer.status} but ${problem}`, extra),
  };
}

function interpretJob(answer: HttpAnswer, known: string | undefined): GetJobResult | UnchangedJob {
  const requestID = headerText(answer.headers['x-request-id']);
  const digest = hash('sha256', answer.body, 'base64url');
  const extra = requestID === undefined ? {} : { requestID };
  if (digest === known) return { ok: true, unchanged: true, digest, ...extra };
  const parsed = parseJob(answer.body);
  if (!parsed.ok) return invalidAnswer(answer, parsed.message);
  return { ok: true, job: parsed.job, digest, ...extra };
}

function interpretList(answer: HttpAnswer): ListJobsResult {
  const requestID = headerText(answer.headers['x-request-id']);
  const parsed = parseJobList(answer.body);
  if (!parsed.ok) return invalidAnswer(answer, parsed.message);
  return requestID === undefined
    ? { ok: true, list: parsed.list }
    : { ok: true, list: parsed.list, requestID };
}

/** The endpoint as a URL: http(s), no credentials, query or fragment; a base path is kept. */
export function parseEndpoint(endpoint: string): URL | UcsError {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return ucsError('InvalidRequest', 'the UCS endpoint is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return ucsError('InvalidRequest', `the UCS endpoint must be http(s), not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    return ucsError('InvalidRequest', 'the UCS endpoint must not carry credentials');
  }
  if (url.search !== '' || url.hash !== '') {
    return ucsError('InvalidRequest', 'the UCS endpoint must not have a query or fragment');
  }
  return url;
}

function redactResult<T extends { ok: true } | { ok: false; error: UcsError }>(
  result: T,
  secrets: readonly string[],
): T {
  return result.ok ? result : ({ ok: false, error: redactError(result.error, secrets) } as T);
}
