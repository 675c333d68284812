import { KubeConfig } from '@kubernetes/client-node';
import { Controller } from '../controller/controller.js';
import { EventRecorder } from '../kube/event-recorder.js';
import { apiMessage } from '../kube/kube-errors.js';
import { JobCache } from '../controller/job-cache.js';
import { JobListCache } from '../controller/job-list-cache.js';
import { Reconciler } from '../controller/reconciler.js';
import { ResourceInformer } from '../kube/resource-informer.js';
import { SecretCredentials } from '../kube/secret-credentials.js';
import { StatusWriter } from '../kube/status-writer.js';
import { UcsTransport } from '../ucs/index.js';
import type { OperatorConfig } from './config.js';
import { HttpEndpoints } from './http-endpoints.js';
import { LeaderElector, leaderIdentity } from '../kube/leader-election.js';
import type { Logger } from './logger.js';
import { OperatorMetrics } from './metrics.js';
import { countPhases } from './phase-counts.js';
import { PooledKubeConfig } from '../kube/pooled-kube-config.js';
import { VERSION } from '../version.js';
import { JITTER } from '../controller/polling-policy.js';

export interface OperatorOptions {
  /** Default: from config.kubeconfig, else in-cluster, else ~/.kube/config. */
  kubeConfig?: KubeConfig;
  /** Process metrics (CPU, heap); off for in-process tests with several operators. */
  processMetrics?: boolean;
  /** Leader election identity; default: hostname_random. */
  identity?: string;
  /**
   * Called once the lease is lost (the workers are already stopped and every write is refused).
   * `policyjobwatch run` exits so that Kubernetes restarts it as a fresh standby; without it the
   * operator stays up but idle.
   */
  onLeadershipLost?: () => void;
}

/** A write or UCS call attempted by a replica that does not (or no longer) hold the lease. */
export class NotLeaderError extends Error {
  constructor() {
    super('not the leader: refusing to write or call UCS');
  }
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

/** The running operator: informer, queue, workers, probes and metrics. */
export class Operator {
  readonly metrics: OperatorMetrics;
  readonly informer: ResourceInformer;
  readonly controller: Controller;
  private readonly events: EventRecorder;
  /** Present when --leader-elect is on. */
  readonly elector: LeaderElector | undefined;
  private readonly endpoints: HttpEndpoints[] = [];
  private stopping = false;
  private readonly kubeConfig: PooledKubeConfig;
  metricsPort: number | undefined;
  healthPort: number | undefined;

  constructor(
    private readonly config: OperatorConfig,
    private readonly log: Logger,
    options: OperatorOptions = {},
  ) {
    const kc = PooledKubeConfig.from(
      options.kubeConfig ?? loadKubeConfig(config.kubeconfig),
      `policyjobwatch/${VERSION}`,
    );
    this.kubeConfig = kc;
    this.metrics = new OperatorMetrics({ processMetrics: options.processMetrics ?? true });
    const transport = new UcsTransport({
      qps: config.ucsQps,
      burst: config.ucsBurst,
      maxConcurrent: config.ucsMaxInFlight,
      timeoutMs: config.ucsTimeout,
      ...(config.caBundle === undefined ? {} : { caBundle: config.caBundle }),
      ...(config.idTokenFile === undefined ? {} : { idTokenFile: config.idTokenFile }),
      onRequest: ({ code, durationSeconds }) => {
        this.metrics.ucsRequest(code, durationSeconds);
      },
    });
    const jobs = new JobCache(
      transport,
      Math.max(2 * config.pollInterval, 60_000),
      Date.now,
      (jobID) => {
        this.controller.jobChanged(jobID);
      },
      config.maxTasksPerJob,
    );
    const lists = new JobListCache(
      transport,
      Math.max(2 * config.pollInterval, 60_000),
      Date.now,
      (kind) => {
        this.controller.listChanged(kind);
      },
      config.maxTasksPerJob,
    );
    const secrets = new SecretCredentials(kc);
    const statusWriter = new StatusWriter(kc);
    // The fence: a replica that is not leading never writes status, records events or calls
    // UCS, even from a reconcile that was in flight when the lease was lost.
    const leading = (): boolean => !this.elector || this.elector.isLeader();
    const fenced = <T>(call: () => Promise<T>): Promise<T> =>
      leading() ? call() : Promise.reject(new NotLeaderError());
    this.events = new EventRecorder(kc, log, {
      qps: config.eventQps,
      burst: config.eventBurst,
      canWrite: leading,
      onDropped: () => {
        this.metrics.eventsDropped.inc();
      },
    });
    const reconciler = new Reconciler(
      {
        getResource: (namespace, name) => this.informer.get(namespace, name),
        getCredentials: (namespace, name) => secrets.get(namespace, name),
        getJob: (endpoint, credentials, jobID, freshness) =>
          fenced(() => jobs.get(endpoint, credentials, jobID, freshness)),
        listJobs: (endpoint, credentials, kind, freshness) =>
          fenced(() => lists.get(endpoint, credentials, kind, freshness)),
        writeStatus: (namespace, name, status) =>
          fenced(() => statusWriter.apply(namespace, name, status)),
        recordEvent: (target, event) => {
          if (leading()) this.events.record(target, event);
        },
        now: () => new Date(),
        random: Math.random,
      },
      {
        endpointPolicy: {
          defaultEndpoint: config.ucsEndpoint,
          allowedEndpoints: config.allowedEndpoints,
        },
        iamEndpointPolicy: {
          defaultIamEndpoint: config.iamEndpoint,
          allowedIamEndpoints: config.allowedIamEndpoints,
        },
        defaultCredentials: config.credentialsSecret,
        defaultPollIntervalMs: config.pollInterval,
        maxTasksPerJob: config.maxTasksPerJob,
      },
    );
    this.controller = new Controller(reconciler, log, this.metrics, {
      workers: config.maxConcurrentReconciles,
      maxBackoffMs: config.pollInterval,
      describeError: apiMessage,
      // A resource polled at the default interval shows a shared job's news on its own turn,
      // as a controller-runtime operator does; one on a longer interval (or backing off) at once.
      newsHorizonMs: config.pollInterval * (1 + JITTER),
    });
    this.informer = new ResourceInformer(
      kc,
      {
        ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
        ...(config.labelSelector === undefined ? {} : { labelSelector: config.labelSelector }),
      },
      log,
      (kind, obj) => {
        this.controller.onChange(kind, obj);
      },
    );
    if (config.leaderElect) {
      const lease = config.leaderElectionId;
      this.metrics.leaderStatus.set({ name: lease }, 0);
      this.elector = new LeaderElector(
        kc,
        {
          namespace: config.leaderElectionNamespace,
          name: lease,
          identity: options.identity ?? leaderIdentity(),
          leaseDurationMs: config.leaderElectionLeaseDuration,
          renewDeadlineMs: config.leaderElectionRenewDeadline,
          retryPeriodMs: config.leaderElectionRetryPeriod,
        },
        log,
        {
          onStartedLeading: () => {
            this.metrics.leaderStatus.set({ name: lease }, 1);
            if (!this.stopping) this.controller.start();
          },
          onStoppedLeading: (reason) => {
            this.metrics.leaderStatus.set({ name: lease }, 0);
            if (reason !== 'lost') return;
            // Stop taking work at once; reconciles in flight are refused by `fenced`.
            void this.controller.stop(0);
            options.onLeadershipLost?.();
          },
        },
      );
    }
  }

  /**
   * Starts probes and metrics, fills the cache, then starts the workers; with leader election,
   * campaigns instead and starts the workers once leading (the cache stays warm meanwhile).
   */
  async start(): Promise<void> {
    await this.serve();
    this.log.info('starting', {
      namespace: this.config.namespace ?? '(all)',
      ucsEndpoint: this.config.ucsEndpoint,
      pollInterval: `${this.config.pollInterval / 1000}s`,
      leaderElection: this.elector
        ? `${this.config.leaderElectionNamespace}/${this.config.leaderElectionId}`
        : 'off',
    });
    await this.informer.start();
    if (this.stopping) return;
    this.log.info('cache synced', { resources: this.informer.list().length });
    if (this.elector) this.elector.run();
    else this.controller.start();
  }

  /**
   * Stops taking work, lets reconciles in flight finish (up to `graceMs`), then releases the
   * lease (so a standby takes over at once), stops the informer and closes the endpoints.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    const started = Date.now();
    await this.controller.stop(graceMs);
    await this.events.flush(Math.max(0, graceMs - (Date.now() - started)));
    this.events.close();
    await this.elector?.stop();
    await this.informer.stop();
    this.kubeConfig.closeConnections();
    await Promise.all(this.endpoints.map((e) => e.close()));
  }

  private async serve(): Promise<void> {
    if (this.config.healthProbeBindAddress !== '0') {
      const health = new HttpEndpoints({
        '/healthz': () => Promise.resolve({ status: 200, body: 'ok' }),
        '/readyz': () => {
          const { ready, reason } = this.informer.readiness();
          return Promise.resolve({ status: ready ? 200 : 503, body: reason });
        },
      });
      this.healthPort = await health.listen(this.config.healthProbeBindAddress);
      this.endpoints.push(health);
    }
    if (this.config.metricsBindAddress !== '0') {
      const metrics = new HttpEndpoints({
        '/metrics': async () => {
          this.countPhases();
          this.metrics.eventsQueued.set(this.events.queued);
          return {
            status: 200,
            body: await this.metrics.registry.metrics(),
            contentType: this.metrics.registry.contentType,
          };
        },
      });
      this.metricsPort = await metrics.listen(this.config.metricsBindAddress);
      this.endpoints.push(metrics);
    }
  }

  /** policyjobwatch_jobs{phase} and policyjobwatch_resources{phase}, from the cache at scrape time. */
  private countPhases(): void {
    const counts = countPhases(this.informer.list());
    for (const [phase, n] of counts.jobs) this.metrics.jobs.set({ phase }, n);
    for (const [phase, n] of counts.resources) this.metrics.resources.set({ phase }, n);
  }
}
