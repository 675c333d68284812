// The UCS simulator: a real HTTP server speaking the UCS policy-job API (and IAM's token API)
// for tests, the demo and benchmarks. See UcsSimulator and examples/ucs-sim/scenario.yaml.
export { UcsSimulator, type UcsSimulatorOptions } from './simulator.js';
export { SimulatorError, type SimulatorErrorReason } from './simulator-error.js';
export { SimClock } from './clock.js';
export { parseDuration, requireDuration, type Duration } from './duration.js';
export {
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  validateScenario,
  type FaultRuleInput,
  type JobInput,
  type Scenario,
  type ScenarioInput,
  type ScenarioIssue,
  type TaskInput,
  type TimelineEntryInput,
} from './scenario-schema.js';
export type { FaultRule } from './faults.js';
export type { JobFlip, JobSummary, StatusFlip } from './job-store.js';
export type { SimStatsSnapshot } from './request-stats.js';
export type { AuthMethod, AuthRejection } from './request-auth.js';
export type { UcsJobDocument, UcsTaskDocument } from './job-document.js';
export { ADMIN_ROUTES } from './admin-api.js';
export { SEED_JOB, SEED_JOB_ID } from './seed-job.js';
export { SDK_DATE_TOLERANCE_MS } from './request-auth.js';
