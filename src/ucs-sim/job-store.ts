import { currentStatus, renderJob, type ToMicros } from './job-document.js';
import { DEFAULT_LIST_KIND } from './job-list-api.js';
import { flipTimeline, type SimJob } from './job-timeline.js';

interface StoredJob {
  job: SimJob;
  /** Epoch ms that the job's timeline offsets count from. */
  epochMs: number;
  /** The `kind` the job is listed under in GET /v1/policy/jobs?kind=. */
  listKind: string;
  /** The last rendered body, valid for now in [fromMs, untilMs): polling is O(1). */
  cache?: { body: string | undefined; fromMs: number; untilMs: number };
}

export interface StatusFlip {
  status: string;
  reason?: string;
}

export interface JobFlip {
  /** The job's new status (omit to change only tasks). */
  status?: string;
  reason?: string;
  /** New task statuses, keyed by task target (or the task's index in the list). */
  tasks?: Record<string, StatusFlip>;
}

export interface JobSummary {
  id: string;
  kind: SimJob['kind'];
  /** The `kind` the job is listed under. */
  listKind: string;
  /** Current job status, for modelled jobs that exist already. */
  status?: string;
  epoch: string;
}

/** Error values of the store, for the admin API to turn into 404 or 400. */
export type StoreError =
  | { reason: 'UnknownJob'; message: string }
  | { reason: 'NotModelled'; message: string }
  | { reason: 'UnknownTask'; message: string };

export class JobStore {
  private readonly jobs = new Map<string, StoredJob>();

  constructor(
    private readonly now: () => number,
    private readonly toMicros: ToMicros,
  ) {}

  /** Adds or replaces a job (a replaced one keeps its place in lists); its timeline starts at `epochMs`. */
  set(job: SimJob, epochMs: number, listKind: string = DEFAULT_LIST_KIND): void {
    this.jobs.set(job.id, { job, epochMs, listKind });
  }

  delete(id: string): boolean {
    return this.jobs.delete(id);
  }

  clear(): void {
    this.jobs.clear();
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** The JSON body UCS would answer now, or undefined for 404. */
  body(id: string): string | undefined {
    const stored = this.jobs.get(id);
    if (stored === undefined) return undefined;
    if (stored.job.kind === 'verbatim') return stored.job.body;
    const now = this.now();
    const cache = stored.cache;
    if (cache !== undefined && now >= cache.fromMs && now < cache.untilMs) return cache.body;
    const rendered = renderJob(stored.job, stored.epochMs, now, this.toMicros);
    const body = rendered.document === undefined ? undefined : JSON.stringify(rendered.document);
    stored.cache = { body, fromMs: now, untilMs: rendered.nextChangeMs };
    return body;
  }

  /** The bodies of every job of `listKind` that exists now, in the order the jobs were added. */
  bodiesOfKind(listKind: string): string[] {
    const bodies: string[] = [];
    for (const [id, stored] of this.jobs) {
      if (stored.listKind !== listKind) continue;
      const body = this.body(id);
      if (body !== undefined) bodies.push(body);
    }
    return bodies;
  }

  /** Restarts every timeline at `epochMs`. */
  rebase(epochMs: number): void {
    for (const stored of this.jobs.values()) {
      stored.epochMs = epochMs;
      delete stored.cache;
    }
  }

  /** Moves one job's timeline forward by `ms`, as if it had started that much earlier. */
  advance(id: string, ms: number): StoreError | undefined {
    const stored = this.jobs.get(id);
    if (stored === undefined) return { reason: 'UnknownJob', message: `no job "${id}"` };
    stored.epochMs -= ms;
    delete stored.cache;
    return undefined;
  }

  /** Sets a job's and/or its tasks' status from now on (see flipTimeline). */
  flip(id: string, flip: JobFlip): StoreError | undefined {
    const stored = this.jobs.get(id);
    if (stored === undefined) return { reason: 'UnknownJob', message: `no job "${id}"` };
    const job = stored.job;
    if (job.kind !== 'modelled') {
      return {
        reason: 'NotModelled',
        message: `job "${id}" is served verbatim; replace it instead`,
      };
    }
    const relMs = this.now() - stored.epochMs;
    const taskFlips = Object.entries(flip.tasks ?? {});
    // Check every key before changing anything, so a bad request changes nothing.
    const resolved = [];
    for (const [key, change] of taskFlips) {
      const task =
        job.tasks.find((t) => t.target === key) ??
        (/^\d+$/.test(key) ? job.tasks[Number(key)] : undefined);
      if (task === undefined)
        return { reason: 'UnknownTask', message: `job "${id}" has no task "${key}"` };
      resolved.push({ task, change });
    }
    for (const { task, change } of resolved)
      flipTimeline(task.timeline, relMs, change.status, change.reason);
    if (flip.status !== undefined) flipTimeline(job.timeline, relMs, flip.status, flip.reason);
    delete stored.cache;
    return undefined;
  }

  summaries(): JobSummary[] {
    const now = this.now();
    return [...this.jobs.values()].map(({ job, epochMs, listKind }) => {
      const summary: JobSummary = {
        id: job.id,
        kind: job.kind,
        listKind,
        epoch: new Date(epochMs).toISOString(),
      };
      if (job.kind === 'modelled') {
        const status = currentStatus(job, epochMs, now);
        if (status !== undefined) summary.status = status;
      }
      return summary;
    });
  }

  /** The compiled job (timelines in ms offsets) and its epoch, for inspection. */
  inspect(id: string): { job: SimJob; epoch: string } | undefined {
    const stored = this.jobs.get(id);
    return stored === undefined
      ? undefined
      : { job: stored.job, epoch: new Date(stored.epochMs).toISOString() };
  }
}
