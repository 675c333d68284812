import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { handleAdmin, type SimulatorAdmin } from './admin-api.js';
import { SimClock } from './clock.js';
import { parseDuration, type Duration } from './duration.js';
import { FaultInjector, seededRandom, type FaultApi, type FaultRule } from './faults.js';
import { BodyTooLargeError, readBody, send, splitTarget } from './http-io.js';
import { FederationIssuer } from './federation.js';
import { accountIdFor, IamTokenIssuer } from './iam-tokens.js';
import { DEFAULT_LIST_KIND, isJobListPath, listKindOf, renderJobList } from './job-list-api.js';
import type { OidcIssuerConfig } from './oidc-verifier.js';
import { compileJob } from './job-timeline.js';
import {
  jobStarted,
  planWrite,
  PolicyInstances,
  writeCallOf,
  type WriteCall,
} from './write-api.js';
import { JobStore, type JobFlip, type JobSummary } from './job-store.js';
import { RequestAuthenticator, type AuthConfig, type ReceivedRequest } from './request-auth.js';
import { RequestStats, type SimStatsSnapshot } from './request-stats.js';
import {
  faultRuleSchema,
  jobSchema,
  loadScenarioFile,
  validate,
  validateScenario,
  type FaultRuleInput,
  type JobFaultSpec,
  type JobInput,
  type Scenario,
  type ScenarioInput,
} from './scenario-schema.js';
import { SEED_JOB_ID } from './seed-job.js';
import { SimulatorError } from './simulator-error.js';
import * as answers from './ucs-errors.js';
import type { SimResponse } from './ucs-errors.js';

export interface UcsSimulatorOptions extends AuthConfig {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** IAM account whose password tokens POST /v3/auth/tokens issues (all three, or none). */
  iamUser?: string;
  iamPassword?: string;
  iamDomain?: string;
  /** Lifetime of issued IAM tokens; default 24 h, as IAM's. */
  tokenTtlSeconds?: number;
  /**
   * Workload identity federation: IAM exchanges OpenID Connect ID tokens of this issuer and
   * audience, verified against the issuer's discovery document and JWKS, for temporary AK/SK
   * that UCS then accepts.
   */
  federation?: OidcIssuerConfig & {
    /** The identity provider ID IAM knows the issuer by. */
    idpId: string;
    /** Cap on the lifetime of temporary keys (they live what the client asks, 15 min..24 h). */
    maxCredentialsTtlSeconds?: number;
  };
  /** Jobs (and faults) to serve; default: the API page's example job only. */
  scenario?: ScenarioInput;
  /** A YAML or JSON scenario file, read at start (instead of `scenario`). */
  scenarioFile?: string;
  /** Extra latency on every UCS answer. */
  latencyMs?: number;
  /** Fault rules in force from the start (besides the scenario's). */
  faults?: FaultRuleInput[];
  /** Seeds the fault dice, so that a run with error rates can be repeated exactly. */
  randomSeed?: number;
  /** The simulated clock (default: the wall clock, adjustable through `sim.clock`). */
  clock?: SimClock;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** How long a job started through a write call runs before it succeeds; default 10s. */
  writeJobDuration?: Duration;
  /** Where to say what happens (never secrets); default: silent. */
  log?: (line: string) => void;
}

const API_BODY_LIMIT = 1 << 20;
const ADMIN_BODY_LIMIT = 256 << 20;
const JOB_PATH = /^\/v1\/policy\/jobs\/([^/]+)\/?$/;
const DEFAULT_SCENARIO: ScenarioInput = { jobs: [{ seed: true }] };
/** The account name when no IAM domain is configured. */
const DEFAULT_ACCOUNT = 'simulated-account';

type IamCall =
  | { call: 'password' }
  | { call: 'idToken'; idpId: string; protocol: string }
  | { call: 'securityTokens' }
  | { call: 'domains' };

type Route =
  | { api: 'ucs'; call: 'job'; jobId: string }
  | { api: 'ucs'; call: 'list'; kind: string }
  | { api: 'ucs'; call: 'write'; write: WriteCall }
  | ({ api: 'iam' } & IamCall)
  | { api: 'other' };

const FEDERATION_PATH =
  /^\/v3\/OS-FEDERATION\/identity_providers\/([^/]+)\/protocols\/([^/]+)\/auth\/?$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * A UCS policy-job API on a real HTTP server: GET /v1/policy/jobs/{jobid} and the job list
 * GET /v1/policy/jobs?kind=, IAM's
 * POST /v3/auth/tokens and GET /v3/auth/domains, and the test-only admin API under /_sim/.
 */
export class UcsSimulator implements SimulatorAdmin {
  readonly clock: SimClock;
  private readonly store: JobStore;
  private readonly faultInjector: FaultInjector;
  private readonly counters = new RequestStats();
  private readonly iam: IamTokenIssuer | undefined;
  private readonly federation: FederationIssuer | undefined;
  private readonly auth: RequestAuthenticator;
  /** The account the AK/SK and the IAM user belong to. */
  readonly account: { id: string; name: string };
  private readonly stopping = new AbortController();
  private readonly log: (line: string) => void;
  private readonly startedAtMs = Date.now();
  private server: Server | undefined;
  private scenario: Scenario;
  /** Fault rules that came from the scenario, re-timed when timelines restart. */
  private scenarioFaultIds: string[] = [];
  /** Fault rules that came with a job added through setJob, by job ID. */
  private readonly jobFaultIds = new Map<string, string[]>();
  private readonly instances = new PolicyInstances();
  private address = { host: '127.0.0.1', port: 0, protocol: 'http' };

  private constructor(
    private readonly options: UcsSimulatorOptions,
    scenario: Scenario,
  ) {
    this.clock = options.clock ?? new SimClock();
    const now = (): number => this.clock.now();
    const toMicros = (ms: number): number => this.clock.micros(ms);
    this.log = options.log ?? ((): void => undefined);
    this.store = new JobStore(now, toMicros);
    const random =
      options.randomSeed === undefined ? Math.random : seededRandom(options.randomSeed);
    this.faultInjector = new FaultInjector(now, random);
    const { iamUser, iamPassword, iamDomain } = options;
    const accountName = iamDomain ?? DEFAULT_ACCOUNT;
    this.account = { id: options.domainId ?? accountIdFor(accountName), name: accountName };
    if (iamUser !== undefined || iamPassword !== undefined || iamDomain !== undefined) {
      if (iamUser === undefined || iamPassword === undefined || iamDomain === undefined) {
        throw new SimulatorError(
          'InvalidInput',
          'IAM needs all of iamUser, iamPassword and iamDomain',
        );
      }
      const ttlMs = (options.tokenTtlSeconds ?? 24 * 3600) * 1000;
      this.iam = new IamTokenIssuer(
        {
          user: iamUser,
          password: iamPassword,
          domain: iamDomain,
          ttlMs,
          domainId: this.account.id,
        },
        now,
        toMicros,
      );
    }
    if ((options.ak === undefined) !== (options.sk === undefined)) {
      throw new SimulatorError('InvalidInput', 'AK/SK signing needs both ak and sk');
    }
    if (options.federation !== undefined) {
      const { idpId, issuer, audience, ca } = options.federation;
      this.federation = new FederationIssuer(
        {
          idpId,
          issuer,
          audience,
          ...(ca === undefined ? {} : { ca }),
          account: this.account,
          maxCredentialsTtlMs: (options.federation.maxCredentialsTtlSeconds ?? 86_400) * 1000,
        },
        now,
        toMicros,
        this.log,
      );
    }
    this.auth = new RequestAuthenticator(
      { ...options, domainId: this.account.id },
      this.iam,
      now,
      this.federation,
    );
    this.scenario = scenario;
    this.applyInitialState();
  }

  static async start(options: UcsSimulatorOptions = {}): Promise<UcsSimulator> {
    const scenario =
      options.scenarioFile !== undefined
        ? await loadScenarioFile(options.scenarioFile)
        : validateScenario(options.scenario ?? DEFAULT_SCENARIO, 'scenario');
    const sim = new UcsSimulator(options, scenario);
    await sim.listen();
    return sim;
  }

  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  get url(): string {
    const { protocol, host, port } = this.address;
    return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  get port(): number {
    return this.address.port;
  }

  /** Stops listening and cuts every open connection, hanging ones included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.stopping.abort();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }

  // --- jobs -------------------------------------------------------------------------------

  /** Adds or replaces a job; its times count from now. */
  setJob(input: JobInput): void {
    const spec = validate(jobSchema, input, 'job');
    const job = compileJob(spec, this.scenario.defaults);
    const now = this.clock.now();
    this.store.set(job, now, spec.listKind);
    this.replaceJobFaults(job.id, spec.faults ?? [], now);
    this.log(`job ${job.id} set (${job.kind})`);
  }

  removeJob(id: string): boolean {
    this.replaceJobFaults(id, [], this.clock.now());
    return this.store.delete(id);
  }

  /** Faults given inside a job definition live and die with that definition. */
  private replaceJobFaults(jobId: string, faults: readonly JobFaultSpec[], now: number): void {
    for (const id of this.jobFaultIds.get(jobId) ?? []) this.faultInjector.remove(id);
    const ids = faults.map((fault) => this.faultInjector.add({ ...fault, job: jobId }, now).id);
    if (ids.length > 0) this.jobFaultIds.set(jobId, ids);
    else this.jobFaultIds.delete(jobId);
  }

  /** Replaces every job (and the scenario's faults) with a scenario's, timed from now. */
  loadScenario(input: ScenarioInput): void {
    this.scenario = validateScenario(input, 'scenario');
    this.loadScenarioJobs(this.clock.now());
    this.log(`scenario loaded: ${this.store.size} jobs`);
  }

  /** Sets a job's and/or its tasks' status from now on; later scheduled changes are dropped. */
  setJobStatus(id: string, flip: JobFlip): void {
    const error = this.store.flip(id, flip);
    if (error !== undefined) throw new SimulatorError(error.reason, error.message);
  }

  /** Moves one job's timeline forward, as if it had started `by` earlier. */
  advanceJob(id: string, by: Duration): void {
    const ms = parseDuration(by);
    if (ms === undefined) throw new SimulatorError('InvalidInput', `not a duration: ${String(by)}`);
    const error = this.store.advance(id, ms);
    if (error !== undefined) throw new SimulatorError(error.reason, error.message);
  }

  /** Restarts every job's timeline (and the scenario's fault windows) at now. */
  restartTimelines(): void {
    const now = this.clock.now();
    this.store.rebase(now);
    this.addScenarioFaults(now);
  }

  jobs(): JobSummary[] {
    return this.store.summaries();
  }

  inspectJob(id: string): ReturnType<JobStore['inspect']> {
    return this.store.inspect(id);
  }

  // --- faults -----------------------------------------------------------------------------

  /** Adds a fault rule; its `from`/`for` window counts from now. */
  setFault(input: FaultRuleInput): FaultRule {
    const rule = this.faultInjector.add(validate(faultRuleSchema, input, 'fault'));
    this.log(`fault ${rule.id} set${rule.job === undefined ? '' : ` for job ${rule.job}`}`);
    return rule;
  }

  removeFault(id: string): boolean {
    return this.faultInjector.remove(id);
  }

  clearFaults(): void {
    this.faultInjector.clear();
    this.scenarioFaultIds = [];
    this.jobFaultIds.clear();
  }

  faults(): readonly FaultRule[] {
    return this.faultInjector.list();
  }

  // --- tokens, counters, reset ------------------------------------------------------------

  /** Revokes one token (an issued one or the configured one), or every issued token. */
  revokeTokens(token?: string): number {
    const issued = this.iam?.revoke(token) ?? 0;
    const fixed = token !== undefined && this.auth.revokeStatic(token) ? 1 : 0;
    return issued + fixed;
  }

  /** GET /v1/policy/jobs/{jobID} requests received so far, whatever their outcome. */
  requestCount(jobID: string): number {
    return this.counters.requestCount(jobID);
  }

  /** GET /v1/policy/jobs?kind= requests received so far for `kind`, whatever their outcome. */
  listRequestCount(kind: string = DEFAULT_LIST_KIND): number {
    return this.counters.listRequestCount(kind);
  }

  stats(): SimStatsSnapshot {
    return this.counters.snapshot({
      startedAtMs: this.startedAtMs,
      nowMs: Date.now(),
      tokens: this.iam?.counts() ?? { issued: 0, valid: 0 },
      federation: this.federation?.counts() ?? { exchanges: 0, temporaryKeys: 0 },
      jobCount: this.store.size,
    });
  }

  resetStats(): void {
    this.counters.reset();
  }

  /** Back to the state at start: scenario jobs timed from now, initial faults, no tokens, zero counts. */
  reset(): void {
    this.clock.reset();
    this.iam?.clear();
    this.federation?.clear();
    this.auth.reset();
    this.counters.reset();
    this.instances.clear();
    this.applyInitialState();
    this.log('reset');
  }

  // --- HTTP -------------------------------------------------------------------------------

  private applyInitialState(): void {
    const now = this.clock.now();
    this.clearFaults();
    if (this.options.latencyMs !== undefined && this.options.latencyMs > 0) {
      this.faultInjector.add({ latency: this.options.latencyMs }, now);
    }
    for (const fault of this.options.faults ?? [])
      this.faultInjector.add(validate(faultRuleSchema, fault, 'fault'), now);
    this.loadScenarioJobs(now);
  }

  private loadScenarioJobs(now: number): void {
    this.store.clear();
    for (const jobId of [...this.jobFaultIds.keys()]) this.replaceJobFaults(jobId, [], now);
    for (const spec of this.scenario.jobs)
      this.store.set(compileJob(spec, this.scenario.defaults), now, spec.listKind);
    this.addScenarioFaults(now);
  }

  private addScenarioFaults(now: number): void {
    for (const id of this.scenarioFaultIds) this.faultInjector.remove(id);
    const rules = [
      ...(this.scenario.faults ?? []),
      ...this.scenario.jobs.flatMap((spec) => {
        const jobId = spec.id ?? SEED_JOB_ID;
        return (spec.faults ?? []).map((fault) => ({ ...fault, job: jobId }));
      }),
    ];
    this.scenarioFaultIds = rules.map((rule) => this.faultInjector.add(rule, now).id);
  }

  private async listen(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        this.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        send(res, randomUUID(), answers.serverInternalError());
      });
    };
    const server =
      this.options.tls === undefined
        ? createHttpServer(handler)
        : createHttpsServer(this.options.tls, handler);
    // Benchmarks keep connections open between polls; do not drop them sooner than clients do.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    this.address = {
      host: this.options.host ?? '127.0.0.1',
      port: bound.port,
      protocol: this.options.tls === undefined ? 'http' : 'https',
    };
    this.server = server;
  }

  private route(method: string, path: string, query: string): Route {
    if (method === 'GET') {
      const match = JOB_PATH.exec(path);
      if (match?.[1] !== undefined)
        return { api: 'ucs', call: 'job', jobId: decodeSegment(match[1]) };
      if (isJobListPath(path)) return { api: 'ucs', call: 'list', kind: listKindOf(query) };
    }
    const write = writeCallOf(method, path);
    if (write !== undefined) return { api: 'ucs', call: 'write', write };
    if (method === 'POST' && this.iam !== undefined && /^\/v3\/auth\/tokens\/?$/.test(path)) {
      return { api: 'iam', call: 'password' };
    }
    if (method === 'GET' && /^\/v3\/auth\/domains\/?$/.test(path)) {
      return { api: 'iam', call: 'domains' };
    }
    if (this.federation !== undefined) {
      const federated = FEDERATION_PATH.exec(path);
      if (method === 'POST' && federated?.[1] !== undefined && federated[2] !== undefined) {
        const [idpId, protocol] = [decodeSegment(federated[1]), decodeSegment(federated[2])];
        return { api: 'iam', call: 'idToken', idpId, protocol };
      }
      if (method === 'POST' && /^\/v3\.0\/OS-CREDENTIAL\/securitytokens\/?$/.test(path))
        return { api: 'iam', call: 'securityTokens' };
    }
    return { api: 'other' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const target = req.url ?? '/';
    const method = req.method ?? 'GET';
    const { path, query } = splitTarget(target);
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      this.counters.request('admin');
      const body = await readBody(req, ADMIN_BODY_LIMIT);
      send(res, requestId, handleAdmin(this, method, path, body.toString('utf8')));
      return;
    }

    const route = this.route(method, path, query);
    this.counters.request(route.api);
    if (route.api === 'ucs' && route.call === 'job') this.counters.jobRequest(route.jobId);
    if (route.api === 'ucs' && route.call === 'list') this.counters.listRequest(route.kind);
    const faultApi: FaultApi = route.api === 'iam' ? 'iam' : 'ucs';
    const fault = this.faultInjector.decide(
      faultApi,
      route.api === 'ucs' && route.call === 'job' ? route.jobId : undefined,
      route.api === 'ucs' ? route.call : undefined,
    );

    if (fault.latencyMs > 0) {
      try {
        await delay(fault.latencyMs, undefined, { signal: this.stopping.signal });
      } catch {
        return; // stopping: the connection is being cut anyway
      }
    }
    const outcome = fault.outcome;
    if (outcome.kind !== 'none') this.counters.fault(outcome.kind);
    switch (outcome.kind) {
      case 'hang':
        // Never answer: the client's timeout, or stop(), ends it.
        this.counters.status('hang');
        return;
      case 'badGateway':
        this.finish(res, requestId, answers.badGateway());
        return;
      case 'error':
        this.finish(res, requestId, answers.serverInternalError());
        return;
      case 'throttle':
        this.finish(res, requestId, answers.throttled(requestId, outcome.retryAfterSeconds));
        return;
      default:
        break;
    }

    let body: Buffer;
    try {
      body = await readBody(req, API_BODY_LIMIT);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      this.finish(res, requestId, answers.payloadTooLarge(requestId));
      return;
    }
    const response = await this.answer(
      route,
      { method, url: target, headers: req.headers, body },
      requestId,
    );
    this.finish(
      res,
      requestId,
      outcome.kind === 'malformed' ? answers.malformed(response) : response,
    );
  }

  private async answer(
    route: Route,
    received: ReceivedRequest,
    requestId: string,
  ): Promise<SimResponse> {
    if (route.api === 'iam') return this.answerIam(route, received, requestId);
    if (route.api === 'other') return answers.apiNotFound(requestId);
    const verdict = this.auth.check(received);
    if (!verdict.ok) {
      this.counters.rejectedFor(verdict.reason);
      if (verdict.reason === 'MissingDomainId' || verdict.reason === 'WrongDomainId')
        return answers.domainIdRefused(requestId, verdict.reason === 'MissingDomainId');
      return answers.authorizationFailed();
    }
    this.counters.accepted(verdict.method);
    if (route.call === 'write') return this.startJob(route.write, received.body.toString('utf8'));
    if (route.call === 'list') {
      const list = renderJobList(this.store.bodiesOfKind(route.kind));
      return { status: 200, headers: { 'Content-Type': answers.JSON_TYPE }, body: list };
    }
    const body = this.store.body(route.jobId);
    return body === undefined
      ? answers.jobNotFound()
      : { status: 200, headers: { 'Content-Type': answers.JSON_TYPE }, body };
  }

  /** A write call: a new job on the timeline, from now; UCS answers its ID. */
  private startJob(call: WriteCall, body: string): SimResponse {
    const durationMs = parseDuration(this.options.writeJobDuration ?? '10s') ?? 10_000;
    const plan = planWrite(call, body, this.instances, durationMs);
    if (!('job' in plan)) return plan;
    this.setJob(plan.job);
    return jobStarted(plan.job.id ?? '');
  }

  private async answerIam(
    route: { api: 'iam' } & IamCall,
    received: ReceivedRequest,
    requestId: string,
  ): Promise<SimResponse> {
    const header = (name: string): string | undefined => {
      const value = received.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const federation = this.federation;
    switch (route.call) {
      case 'password':
        return this.iam?.issue(received.body.toString('utf8')) ?? answers.apiNotFound(requestId);
      case 'idToken':
        return (
          (await federation?.exchangeIdToken(
            route.idpId,
            route.protocol,
            header('authorization'),
          )) ?? answers.apiNotFound(requestId)
        );
      case 'securityTokens':
        return (
          federation?.securityTokens(header('x-auth-token'), received.body.toString('utf8')) ??
          answers.apiNotFound(requestId)
        );
      case 'domains':
        return this.listAuthDomains(received, requestId);
    }
  }

  /**
   * IAM's KeystoneListAuthDomains: the account of the caller (AK/SK-signed, or an IAM token),
   * which is how the vendor SDK finds the X-Domain-Id for AK/SK calls to global services.
   */
  private listAuthDomains(received: ReceivedRequest, requestId: string): SimResponse {
    const verdict = this.auth.check(received, false);
    if (!verdict.ok) {
      this.counters.rejectedFor(verdict.reason);
      return answers.iamAuthenticationFailed(requestId);
    }
    this.counters.accepted(verdict.method);
    const { id, name } = this.account;
    return answers.jsonResponse(200, {
      domains: [
        {
          id,
          name,
          enabled: true,
          description: '',
          links: { self: `${this.url}/v3/domains/${id}` },
        },
      ],
      links: { self: `${this.url}/v3/auth/domains`, previous: null, next: null },
    });
  }

  private finish(res: ServerResponse, requestId: string, response: SimResponse): void {
    this.counters.status(response.status);
    send(res, requestId, response);
  }
}
