import { isDeepStrictEqual } from 'node:util';
import { MAX_TASKS_PER_JOB } from '../api/index.js';
import { credentialsFingerprint, type GetJobResult, type UcsCredentials } from '../ucs/index.js';
import { mapJob, type JobAnswer } from './map-job.js';

/** Whatever hands out a UCS client for an endpoint and credentials (the shared transport). */
export interface JobClientFactory {
  client(
    endpoint: string,
    credentials: UcsCredentials,
  ): { getJob(jobID: string): Promise<GetJobResult> };
}

/**
 * How old a cached answer may be to be reused. A resource's own last answer must not count as
 * fresh at its next poll (or it would never poll again), so it gets a share of the interval;
 * an answer another resource fetched is as good as a poll of its own for a whole interval, so
 * a job named by several resources costs one call per interval, not one per resource.
 */
export interface Freshness {
  /** The resource asking (namespace/name). */
  requester: string;
  /** Reuse an answer fetched for this requester when younger than this. */
  ownMs: number;
  /** Reuse an answer fetched for another resource when younger than this. */
  othersMs: number;
}

interface Entry {
  at: number;
  /** The resource the request was made for. */
  by: string;
  result: Promise<JobAnswer>;
  /** The answer, once it came. */
  settled?: JobAnswer;
}

/**
 * Answers for the same job, endpoint and credentials, shared by every resource that names the
 * job: a fetch fresh enough for the caller (see Freshness) is reused, so N resources watching
 * one job cost one UCS call per poll interval. Concurrent misses share one request. When a
 * request brings a job's data that differs from the answer before it, `onChanged` is told, so
 * that the other resources naming the job can show it at once instead of at their next poll.
 *
 * What is kept is the mapped job (see mapJob: bounded strings, depth-bounded extendParam, at
 * most `keepTasks` tasks, no unknown fields), never the raw answer: a 4 MB answer costs its
 * bounded entry, and comparing two answers cannot overflow the stack on a deep nest.
 */
export class JobCache {
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;

  constructor(
    private readonly clients: JobClientFactory,
    /** Entries older than this are dropped (memory stays bounded by the jobs being polled). */
    private readonly retainMs: number,
    private readonly now: () => number = Date.now,
    private readonly onChanged: (jobID: string) => void = () => undefined,
    /** Tasks kept per job: no resource shows more than --max-tasks-per-job. */
    private readonly keepTasks: number = MAX_TASKS_PER_JOB,
  ) {
    this.lastSweep = now();
  }

  get(
    endpoint: string,
    credentials: UcsCredentials,
    jobID: string,
    freshness: Freshness,
  ): Promise<JobAnswer> {
    const key = `${endpoint}\u0000${credentialsFingerprint(credentials)}\u0000${jobID}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      const maxAge = hit.by === freshness.requester ? freshness.ownMs : freshness.othersMs;
      if (now - hit.at < maxAge) return hit.result;
    }
    const before = hit?.settled;
    const result = this.clients
      .client(endpoint, credentials)
      .getJob(jobID)
      .then((answer): JobAnswer => {
        const mapped: JobAnswer = answer.ok
          ? { ok: true, job: mapJob(answer.job, this.keepTasks) }
          : answer;
        entry.settled = mapped;
        if (mapped.ok && !(before?.ok === true && isDeepStrictEqual(before.job, mapped.job)))
          this.onChanged(jobID);
        return mapped;
      });
    const entry: Entry = { at: now, by: freshness.requester, result };
    this.entries.set(key, entry);
    this.sweep(now);
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < Math.min(this.retainMs, 60_000)) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries)
      if (now - entry.at >= this.retainMs) this.entries.delete(key);
  }
}
