import type { JobInput, ScenarioInput } from '../../src/ucs-sim/index.js';
import { seededRandom } from '../../src/ucs-sim/faults.js';

export const TASKS_PER_JOB = 5;
export const JOBS_PER_RESOURCE = 3;
/** Share of unique job IDs that two resources name. */
export const SHARED_SHARE = 0.3;
const FAILED_SHARE = 0.1;

export interface BenchJob {
  id: string;
  /** Task finish offsets from the scenario start, ms, ascending and distinct. */
  taskFinishMs: number[];
  /** The job is terminal at the last task's finish. */
  finishMs: number;
  failed: boolean;
}

export interface ScenarioS {
  jobs: BenchJob[];
  /** Resource name → its job IDs. */
  resources: Map<string, string[]>;
  sharedJobs: number;
}

/**
 * Scenario S: `resources` resources of 3 jobs each; 30% of the unique job IDs are named by two
 * resources, the rest by one. Every job has 5 tasks that start at once and finish at random
 * times; the job follows its tasks and ends with the last, within `windowMs`. 10% of the jobs
 * fail (one task Failed).
 */
export function scenarioS(resources: number, windowMs: number, seed = 42): ScenarioS {
  const random = seededRandom(seed);
  const slots = JOBS_PER_RESOURCE * resources;
  // shared jobs take 2 slots, the others 1: U = shared + unshared, shared = 0.3 U, slots = 1.3 U.
  const shared = Math.round((SHARED_SHARE * slots) / (1 + SHARED_SHARE));
  const unshared = slots - 2 * shared;
  const jobs: BenchJob[] = [];
  for (let i = 0; i < shared + unshared; i++) {
    const finishMs = Math.max(1000, Math.round(random() * windowMs));
    const times = new Set<number>();
    while (times.size < TASKS_PER_JOB - 1)
      times.add(Math.round(finishMs * (0.2 + 0.8 * random())) - 1);
    const taskFinishMs = [...times, finishMs].sort((a, b) => a - b);
    jobs.push({
      id: `s-job-${String(i).padStart(5, '0')}`,
      taskFinishMs,
      finishMs,
      failed: random() < FAILED_SHARE,
    });
  }
  const refs: string[] = [];
  jobs.forEach((job, i) => {
    refs.push(job.id);
    if (i < shared) refs.push(job.id);
  });
  // Shuffle, then deal three per resource, swapping away a job a resource already has.
  for (let i = refs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [refs[i], refs[j]] = [refs[j] ?? '', refs[i] ?? ''];
  }
  for (let attempt = 0; attempt < 100 && hasDuplicates(refs); attempt++) {
    for (let r = 0; r < resources; r++) {
      const group = refs.slice(r * 3, r * 3 + 3);
      for (let k = 0; k < 3; k++) {
        if (group.indexOf(group[k] ?? '') === k) continue;
        const other = Math.floor(random() * refs.length);
        const at = r * 3 + k;
        [refs[at], refs[other]] = [refs[other] ?? '', refs[at] ?? ''];
      }
    }
  }
  if (hasDuplicates(refs)) throw new Error('cannot deal jobs without duplicates');
  const out = new Map<string, string[]>();
  for (let r = 0; r < resources; r++)
    out.set(`s-${String(r).padStart(5, '0')}`, refs.slice(r * 3, r * 3 + 3));
  return { jobs, resources: out, sharedJobs: shared };
}

function hasDuplicates(refs: readonly string[]): boolean {
  for (let i = 0; i < refs.length; i += 3) {
    const group = refs.slice(i, i + 3);
    if (new Set(group).size !== group.length) return true;
  }
  return false;
}

/** The simulator's job definition of a bench job. */
export function simJob(job: BenchJob): JobInput {
  return {
    id: job.id,
    tasks: job.taskFinishMs.map((finishAt, i) => ({
      target: `cluster-${String(i)}`,
      startAt: 0,
      finishAt,
      ...(job.failed && i === 0
        ? { status: 'Failed', reason: 'admission webhook denied the request' }
        : {}),
    })),
  };
}

/** Scenario L: one job per resource, already Succeeded (the API page's example, under its ID). */
export function scenarioLJobIds(resources: number): string[] {
  return Array.from({ length: resources }, (_, i) => `l-job-${String(i).padStart(5, '0')}`);
}

/**
 * The list kind the selector phase selects on: its own, so that its list answers hold only its
 * few jobs (S and L jobs are listed under the default kind, EnablePolicy; UCS documents no other
 * kind, and the selector takes any string).
 */
export const SELECTOR_KIND = 'BenchSelector';
/** Jobs listed under SELECTOR_KIND: as many as the largest `newest` of the selector phase. */
export const SELECTOR_JOBS = 3;

export function simScenario(s: ScenarioS, lJobIds: readonly string[]): ScenarioInput {
  return {
    jobs: [
      ...s.jobs.map(simJob),
      ...lJobIds.map((id): JobInput => ({ id, seed: true })),
      ...Array.from({ length: SELECTOR_JOBS }, (_, i): JobInput => ({
        id: `sel-job-${String(i).padStart(2, '0')}`,
        seed: true,
        listKind: SELECTOR_KIND,
      })),
    ],
  };
}

/**
 * Change instants of a job: each distinct task finish, with the "progress" value m (finished
 * tasks + 1 once the job itself is terminal) that a resource shows from then on.
 */
export function changes(job: BenchJob): { atMs: number; m: number }[] {
  return job.taskFinishMs.map((atMs, i) => ({
    atMs,
    m: i + 1 + (atMs === job.finishMs ? 1 : 0),
  }));
}

/** The same m from a status job entry. */
export function progressOf(entry: {
  phase?: string;
  taskSummary?: { succeeded?: number; failed?: number };
}): number {
  const s = entry.taskSummary;
  const finished = (s?.succeeded ?? 0) + (s?.failed ?? 0);
  return finished + (entry.phase === 'Succeeded' || entry.phase === 'Failed' ? 1 : 0);
}
