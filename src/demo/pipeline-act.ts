import type { PolicyJobWatch } from '../api/index.js';

/** The demo resource that selects the newest job of one constraint (examples/policyjobwatches/). */
export const PIPELINE_RESOURCE = 'pipeline-newest';
/** The constraint (policy instance) it selects on, as in examples/ucs-sim/scenario.yaml. */
export const PIPELINE_CONSTRAINT = '3b0f1c9e-8d2a-4f6b-b1c7-5e9a2d4c6f0a';
/** The constraint's earlier job in the scenario: Succeeded from the start. */
export const PIPELINE_OLD_JOB = '6d3f6a52-1b7e-4c52-9a51-2f4d8e0c0a0a';

type Stage =
  | { at: 'old' }
  | { at: 'started'; jobID: string }
  | { at: 'running'; jobID: string }
  | { at: 'done'; jobID: string };

/**
 * The demo's pipeline act, as a state machine fed with the resource as the apiserver has it:
 * once the resource shows the old job Succeeded, a new job is started (the demo calls UCS's
 * write API, as a pipeline would); then the resource must move to the new job while it is
 * Running, and on to its end (Succeeded). `observe` says what to do and what to tell.
 */
export class PipelineAct {
  private stage: Stage = { at: 'old' };

  /** The next thing to do: start the new job, or tell a step (one line), or nothing. */
  observe(obj: PolicyJobWatch | undefined): { start: true } | { say: string } | undefined {
    const selected = obj?.status?.selectedJobIDs?.[0];
    const phase = obj?.status?.phase;
    const stage = this.stage;
    if (stage.at === 'old') {
      if (selected === PIPELINE_OLD_JOB && phase === 'Succeeded') return { start: true };
      return undefined;
    }
    if (stage.at === 'started' && selected === stage.jobID && phase === 'Running') {
      this.stage = { at: 'running', jobID: stage.jobID };
      return { say: `${PIPELINE_RESOURCE} follows the new job ${stage.jobID}: Running` };
    }
    if (stage.at === 'running' && selected === stage.jobID && phase === 'Succeeded') {
      this.stage = { at: 'done', jobID: stage.jobID };
      return { say: `${PIPELINE_RESOURCE}: job ${stage.jobID} Succeeded` };
    }
    return undefined;
  }

  /** The write call answered {"jobID"}. */
  started(jobID: string): void {
    this.stage = { at: 'started', jobID };
  }

  /** Whether the act has played to its end (old Succeeded, new seen Running, then Succeeded). */
  get done(): boolean {
    return this.stage.at === 'done';
  }

  /** The new job's ID, once started. */
  get newJobID(): string | undefined {
    return this.stage.at === 'old' ? undefined : this.stage.jobID;
  }
}
