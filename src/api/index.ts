/** The PolicyJobWatch API: names, zod schemas, TypeScript types, validators and the CRD. */
export * from './constants.js';
export { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';
export { JOB_ID_PATTERN, LOOPBACK_HTTP_PATTERN, PolicyJobWatchSpecSchema } from './spec.js';
export {
  DEFAULT_SELECTOR_KIND,
  JobSelectorSchema,
  MAX_SELECTOR_KIND_LENGTH,
  MAX_SELECTOR_MATCH_ENTRIES,
} from './job-selector.js';
export {
  ConditionSchema,
  JobEntrySchema,
  JobErrorSchema,
  MAX_CONDITIONS,
  MAX_EXTEND_PARAM_FIELDS,
  MAX_EXTEND_PARAM_JSON_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_RAW_TIMESTAMPS,
  MAX_RELATED_OBJECTS,
  MAX_STRING_LENGTH,
  PolicyJobWatchStatusSchema,
  REASON_PATTERN,
  SummarySchema,
  TaskEntrySchema,
  TaskSummarySchema,
} from './status.js';
export { PolicyJobWatchSchema } from './resource.js';
export type {
  Condition,
  JobEntry,
  JobError,
  JobSelector,
  JobSummary,
  PolicyJobWatch,
  PolicyJobWatchSpec,
  PolicyJobWatchStatus,
  TaskEntry,
  TaskSummary,
  UcsStatus,
} from './types.js';
export {
  describeIssues,
  parsePolicyJobWatchSpec,
  parsePolicyJobWatchStatus,
  type SpecParseResult,
  type StatusParseResult,
} from './validate.js';
export {
  buildCrd,
  CRD_FILE,
  PRINTER_COLUMNS,
  renderCrdYaml,
  type CustomResourceDefinition,
  type PrinterColumn,
} from './crd.js';
export { toStructuralSchema, type OpenApiSchema } from './openapi.js';
