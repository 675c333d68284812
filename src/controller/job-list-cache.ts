import { isDeepStrictEqual } from 'node:util';
import { MAX_TASKS_PER_JOB } from '../api/index.js';
import { credentialsFingerprint, type ListJobsResult, type UcsCredentials } from '../ucs/index.js';
import type { FetchError } from './fetch-error.js';
import type { Freshness } from './job-cache.js';
import { isComplete, type SelectableJob } from './job-selector.js';
import { mapJob } from './map-job.js';

/** Whatever hands out a UCS client for an endpoint and credentials (the shared transport). */
export interface JobListClientFactory {
  client(
    endpoint: string,
    credentials: UcsCredentials,
  ): { listJobs(kind: string): Promise<ListJobsResult> };
}

/** A job list as kept: newest first, bounded (see parseJobList), jobs mapped. */
export type ListAnswer =
  { ok: true; items: readonly SelectableJob[] } | { ok: false; error: FetchError };

interface Entry {
  at: number;
  by: string;
  result: Promise<ListAnswer>;
  settled?: ListAnswer;
}

/**
 * UCS job lists (GET /v1/policy/jobs?kind=K), one per endpoint, credentials and kind, shared
 * by every resource that selects on it, with the JobCache's freshness rules (an answer another
 * resource got is good for a whole interval, one's own for a share of it): any number of
 * selectors on one kind cost one list call per poll interval. A request in flight is shared
 * (single-flight). When an answer differs from the one before, `onChanged(kind)` is told, so
 * that the other selectors show it at once.
 *
 * What is kept is bounded: the newest MAX_LISTED_JOBS items (parseJobList), their match
 * fields as clipped text, and the mapped job (at most `keepTasks` tasks) of complete items.
 */
export class JobListCache {
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;

  constructor(
    private readonly clients: JobListClientFactory,
    private readonly retainMs: number,
    private readonly now: () => number = Date.now,
    private readonly onChanged: (kind: string) => void = () => undefined,
    private readonly keepTasks: number = MAX_TASKS_PER_JOB,
  ) {
    this.lastSweep = now();
  }

  get(
    endpoint: string,
    credentials: UcsCredentials,
    kind: string,
    freshness: Freshness,
  ): Promise<ListAnswer> {
    const key = `${endpoint}\u0000${credentialsFingerprint(credentials)}\u0000${kind}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      const maxAge = hit.by === freshness.requester ? freshness.ownMs : freshness.othersMs;
      // A request still in flight is always shared.
      if (now - hit.at < maxAge || hit.settled === undefined) return hit.result;
    }
    const before = hit?.settled;
    const result = this.clients
      .client(endpoint, credentials)
      .listJobs(kind)
      .then((answer): ListAnswer => {
        const kept = this.keep(answer);
        entry.settled = kept;
        if (kept.ok && !(before?.ok === true && isDeepStrictEqual(before.items, kept.items)))
          this.onChanged(kind);
        return kept;
      });
    const entry: Entry = { at: now, by: freshness.requester, result };
    this.entries.set(key, entry);
    this.sweep(now);
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(answer: ListJobsResult): ListAnswer {
    if (!answer.ok) return answer;
    return {
      ok: true,
      items: answer.list.items.map(({ job, ...item }): SelectableJob => {
        return isComplete(job) ? { ...item, job: mapJob(job, this.keepTasks) } : item;
      }),
    };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < Math.min(this.retainMs, 60_000)) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries)
      if (now - entry.at >= this.retainMs) this.entries.delete(key);
  }
}
