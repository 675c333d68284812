import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONTROLLER_NAME } from '../controller/ports.js';
import type { WorkQueueMetrics } from '../controller/work-queue.js';
import { DEFAULT_EVENT_MAX_QUEUED } from '../kube/event-recorder.js';

/**
 * 50000 as "50,000", without Intl: formatting a number for a locale (toLocaleString) makes V8 load
 * ICU's number data, about 5 MiB of the node binary's pages kept resident for the process's life.
 */
export function withThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Prometheus metrics under controller-runtime's names, so existing controller dashboards and
 * alerts work unchanged, plus the UCS API and job-phase metrics of this operator.
 */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'] as const,
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'] as const,
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300],
    registers: [this.registry],
  });
  readonly leaderStatus = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter({
    name: 'policyjobwatch_events_dropped_total',
    help: `Events not recorded because the event queue was at its backstop cap of ${withThousands(DEFAULT_EVENT_MAX_QUEUED)} (events are best effort; the status is the record)`,
    registers: [this.registry],
  });
  readonly eventsQueued = new Gauge({
    name: 'policyjobwatch_events_queued',
    help: 'Events waiting to be written (paced by --event-qps and --event-burst; repeats merge into a waiting event)',
    registers: [this.registry],
  });
  readonly ucsRequests = new Counter({
    name: 'ucs_api_requests_total',
    help: 'UCS API requests by HTTP status code ("error" when no answer came)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly ucsDuration = new Histogram({
    name: 'ucs_api_request_duration_seconds',
    help: 'UCS API request latency',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly jobs = new Gauge({
    name: 'policyjobwatch_jobs',
    help: 'UCS jobs watched, by phase (Pending, Running, Succeeded, Failed)',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  });
  readonly resources = new Gauge({
    name: 'policyjobwatch_resources',
    help: 'PolicyJobWatch resources, by status.phase (Pending, Running, Succeeded, Failed; Unknown before the first status)',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  workQueue(name = CONTROLLER_NAME): WorkQueueMetrics {
    return {
      depth: (value) => {
        this.queueDepth.set({ name }, value);
      },
      added: () => {
        this.queueAdds.inc({ name });
      },
      queued: (seconds) => {
        this.queueDuration.observe({ name }, seconds);
      },
    };
  }

  ucsRequest(code: string, durationSeconds: number): void {
    this.ucsRequests.inc({ code });
    this.ucsDuration.observe(durationSeconds);
  }
}
