import { MAX_TASKS_PER_JOB } from '../api/index.js';
import { credentialsFingerprint, type ListJobsResult, type UcsCredentials } from '../ucs/index.js';
import type { FetchError } from './fetch-error.js';
import { FreshAnswers } from './fresh-answers.js';
import type { Freshness } from './fresh-answers.js';
import { isComplete, type SelectableJob } from './job-selector.js';
import { mapJob } from './map-job.js';
import { jsonEqual } from './json-equal.js';

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
  private readonly answers: FreshAnswers<ListAnswer>;

  constructor(
    private readonly clients: JobListClientFactory,
    retainMs: number,
    now: () => number = Date.now,
    private readonly onChanged: (kind: string) => void = () => undefined,
    private readonly keepTasks: number = MAX_TASKS_PER_JOB,
  ) {
    this.answers = new FreshAnswers(retainMs, now);
  }

  get(
    endpoint: string,
    credentials: UcsCredentials,
    kind: string,
    freshness: Freshness,
  ): Promise<ListAnswer> {
    const key = `${endpoint}\u0000${credentialsFingerprint(credentials)}\u0000${kind}`;
    return this.answers.get(
      key,
      freshness,
      () => this.clients.client(endpoint, credentials).listJobs(kind),
      (answer, before): ListAnswer => {
        const kept = this.keep(answer);
        if (kept.ok && !(before?.ok === true && jsonEqual(before.items, kept.items)))
          this.onChanged(kind);
        return kept;
      },
    );
  }

  get size(): number {
    return this.answers.size;
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
}
