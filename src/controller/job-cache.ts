import { isDeepStrictEqual } from 'node:util';
import { MAX_TASKS_PER_JOB } from '../api/index.js';
import { credentialsFingerprint, type GetJobResult, type UcsCredentials } from '../ucs/index.js';
import { FreshAnswers, type Freshness } from './fresh-answers.js';
import { mapJob, type JobAnswer } from './map-job.js';

/** Whatever hands out a UCS client for an endpoint and credentials (the shared transport). */
export interface JobClientFactory {
  client(
    endpoint: string,
    credentials: UcsCredentials,
  ): { getJob(jobID: string): Promise<GetJobResult> };
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
  private readonly answers: FreshAnswers<JobAnswer>;

  constructor(
    private readonly clients: JobClientFactory,
    /** Entries older than this are dropped (memory stays bounded by the jobs being polled). */
    retainMs: number,
    now: () => number = Date.now,
    private readonly onChanged: (jobID: string) => void = () => undefined,
    /** Tasks kept per job: no resource shows more than --max-tasks-per-job. */
    private readonly keepTasks: number = MAX_TASKS_PER_JOB,
  ) {
    this.answers = new FreshAnswers(retainMs, now);
  }

  get(
    endpoint: string,
    credentials: UcsCredentials,
    jobID: string,
    freshness: Freshness,
  ): Promise<JobAnswer> {
    const key = `${endpoint}\u0000${credentialsFingerprint(credentials)}\u0000${jobID}`;
    return this.answers.get(
      key,
      freshness,
      () => this.clients.client(endpoint, credentials).getJob(jobID),
      (answer, before): JobAnswer => {
        const mapped: JobAnswer = answer.ok
          ? { ok: true, job: mapJob(answer.job, this.keepTasks) }
          : answer;
        if (mapped.ok && !(before?.ok === true && isDeepStrictEqual(before.job, mapped.job)))
          this.onChanged(jobID);
        return mapped;
      },
    );
  }

  get size(): number {
    return this.answers.size;
  }
}
