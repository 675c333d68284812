import { MAX_TASKS_PER_JOB } from '../api/index.js';
import {
  credentialsFingerprint,
  type GetJobResult,
  type UcsCredentials,
  type UnchangedJob,
} from '../ucs/index.js';
import { FreshAnswers, type Freshness } from './fresh-answers.js';
import { mapJob, type JobAnswer } from './map-job.js';
import { jsonEqual } from './json-equal.js';

/** Whatever hands out a UCS client for an endpoint and credentials (the shared transport). */
export interface JobClientFactory {
  client(
    endpoint: string,
    credentials: UcsCredentials,
  ): { getJob(jobID: string, digest: string | undefined): Promise<GetJobResult | UnchangedJob> };
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
 * bounded entry, and comparing two answers cannot overflow the stack on a deep nest. With it
 * goes the digest of the body it came from: UCS sending the same body again (a job polled
 * while nothing happens to it) keeps the entry as it is, without parsing or mapping the body.
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
      (before) =>
        this.clients
          .client(endpoint, credentials)
          .getJob(jobID, before?.ok === true ? before.digest : undefined),
      (answer, before): JobAnswer => {
        if (!answer.ok) return answer;
        if ('unchanged' in answer) {
          // Only asked with the digest of a kept job: that job is still the answer.
          if (before?.ok === true && before.digest === answer.digest) return before;
          throw new Error(`UCS answer for job ${jobID} came back unchanged, but none is kept`);
        }
        const job = mapJob(answer.job, this.keepTasks);
        if (!(before?.ok === true && jsonEqual(before.job, job))) this.onChanged(jobID);
        return { ok: true, job, digest: answer.digest };
      },
    );
  }

  get size(): number {
    return this.answers.size;
  }
}
