// The UCS jobs API client. It knows nothing of Kubernetes.
export {
  SDK_SIGNING_ALGORITHM,
  canonicalRequest,
  computeSignature,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  signRequest,
  stringToSign,
  type ParsedAuthorization,
  type SignableRequest,
  type SigningCredentials,
} from './auth/sdk-signer.js';
export {
  UcsClient,
  parseEndpoint,
  JOBS_PATH,
  type GetJobResult,
  type UnchangedJob,
  type JobFetcher,
  type ListJobsResult,
} from './client.js';
export {
  DEFAULT_IAM_ENDPOINT,
  credentialsFingerprint,
  type AkSkCredentials,
  type FederatedCredentials,
  type PasswordCredentials,
  type TokenCredentials,
  type UcsCredentials,
} from './credentials.js';
export { parseRetryAfter, type UcsError, type UcsErrorReason } from './errors.js';
export { USER_AGENT, type RequestEvent } from './http/http-sender.js';
export {
  ucsJobSchema,
  ucsTaskSchema,
  type UcsJob,
  type UcsJobSpec,
  type UcsJobStatus,
  type UcsObjectMeta,
  type UcsTask,
} from './job.js';
export { parseJob, type ParseJobResult } from './parse-job.js';
export {
  MAX_LISTED_JOBS,
  newestFirst,
  parseJobList,
  sortableTime,
  type JobList,
  type ListedJob,
  type ParseJobListResult,
} from './parse-job-list.js';
export { documentedOutcome, jobOutcome, type JobOutcome } from './phase.js';
export { normalizeTimestamp } from './timestamps.js';
export { UcsTransport, type UcsTransportOptions } from './transport.js';
