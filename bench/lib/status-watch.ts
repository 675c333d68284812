import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type PolicyJobWatch } from '../../src/api/index.js';
import { progressOf, type ScenarioS } from './scenario.js';

/**
 * Watches one namespace and keeps, per resource: when each job's progress value first reached
 * each level, and how many times the mirrored job data (status.jobs) changed.
 */
export class StatusWatch {
  private abort: AbortController | undefined;
  /** resource → job → [time, progress] whenever the progress rose. */
  readonly progress = new Map<string, Map<string, [number, number][]>>();
  private readonly lastJobs = new Map<string, string>();
  private readonly firstStatus = new Map<string, number>();
  realChanges = 0;
  statusModified = 0;
  withStatus = 0;
  lastStatusAt = 0;
  sampleStatus: PolicyJobWatch['status'];

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    // The initial ADDED events (resources without status) come first; they count for nothing.
    this.abort = await new Watch(this.kc).watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${this.namespace}/${PLURAL}`,
      {},
      (type: string, obj: PolicyJobWatch) => {
        this.onEvent(type, obj);
      },
      (err: unknown) => {
        if (err && this.abort && !this.abort.signal.aborted)
          this.log(
            `watch of ${this.namespace} ended: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
          );
      },
    );
  }

  stop(): void {
    this.abort?.abort();
  }

  firstStatusAt(name: string): number | undefined {
    return this.firstStatus.get(name);
  }

  private onEvent(type: string, obj: PolicyJobWatch): void {
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const name = obj.metadata.name ?? '';
    const status = obj.status;
    if (status === undefined) return;
    const now = Date.now();
    if (!this.firstStatus.has(name)) {
      this.firstStatus.set(name, now);
      this.withStatus += 1;
      this.lastStatusAt = now;
      this.sampleStatus ??= status;
    }
    const jobs = (status.jobs ?? []).map(({ lastError: _ignored, ...rest }) => rest);
    const key = JSON.stringify(jobs);
    const previous = this.lastJobs.get(name);
    if (type === 'MODIFIED') this.statusModified += 1;
    if (previous !== key) {
      this.realChanges += 1;
      this.lastJobs.set(name, key);
    }
    let perJob = this.progress.get(name);
    if (!perJob) this.progress.set(name, (perJob = new Map<string, [number, number][]>()));
    for (const job of status.jobs ?? []) {
      const m = progressOf(job);
      let list = perJob.get(job.jobID);
      if (!list) perJob.set(job.jobID, (list = []));
      const last = list.at(-1);
      if (last === undefined || m > last[1]) list.push([now, m]);
    }
  }

  /** When the resource first showed the job at progress ≥ m. */
  seenAt(resource: string, job: string, m: number): number | undefined {
    return this.progress
      .get(resource)
      ?.get(job)
      ?.find(([, v]) => v >= m)?.[0];
  }

  countDone(s: ScenarioS, finalProgress: ReadonlyMap<string, number>): number {
    let done = 0;
    for (const [name, jobIDs] of s.resources) {
      if (jobIDs.every((id) => this.seenAt(name, id, finalProgress.get(id) ?? 0) !== undefined))
        done += 1;
    }
    return done;
  }
}

/** What reportS reads of a watch: when each resource first had a status, and what it showed. */
export type ObservedStatuses = Pick<
  StatusWatch,
  'firstStatusAt' | 'seenAt' | 'realChanges' | 'statusModified'
>;
