import { z } from 'zod';
import {
  DEFAULT_POLL_INTERVAL,
  MAX_JOB_ID_LENGTH,
  MAX_JOB_IDS,
  POLL_INTERVAL_MAX,
  POLL_INTERVAL_MIN,
} from './constants.js';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { JobSelectorSchema } from './job-selector.js';
import { listSet, withRules, type ValidationRule } from './kube-schema.js';

/** Job IDs go into the request path (/v1/policy/jobs/{jobid}): no '/', '%', '?', ... */
export const JOB_ID_PATTERN = '^[A-Za-z0-9._-]+$';

/** A Secret name: an RFC 1123 DNS subdomain. */
const SECRET_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

const MAX_ENDPOINT_LENGTH = 1024;

const jobID = withRules(
  z
    .string()
    .min(1, 'a job ID must not be empty')
    .max(MAX_JOB_ID_LENGTH, `a job ID must be at most ${MAX_JOB_ID_LENGTH} characters`)
    .regex(
      new RegExp(JOB_ID_PATTERN),
      "a job ID may contain only letters, digits, '.', '_' and '-'",
    ),
  [
    {
      rule: "self != '.' && self != '..'",
      message: "a job ID must not be '.' or '..'",
      holds: (id) => id !== '.' && id !== '..',
    },
  ],
).describe(
  `A UCS policy job ID, as returned by the policy write APIs ({"jobID": "..."}). 1 to ${MAX_JOB_ID_LENGTH} of A-Z a-z 0-9 . _ -, and not "." or "..".`,
);

const jobIDs = listSet(
  z
    .array(jobID)
    .min(1, 'spec.jobIDs must list at least one job ID')
    .max(MAX_JOB_IDS, `spec.jobIDs must list at most ${MAX_JOB_IDS} job IDs`),
  (id) => `spec.jobIDs lists ${JSON.stringify(id)} more than once`,
).describe(
  `The UCS policy jobs to watch (GET /v1/policy/jobs/{jobID}): 1 to ${MAX_JOB_IDS} unique IDs. status.jobs has one entry per ID, in this order. Exactly one of jobIDs and jobSelector.`,
);

const credentialsRef = z
  .object({
    name: z
      .string()
      .min(1, 'spec.credentialsRef.name must not be empty')
      .max(253, 'spec.credentialsRef.name must be at most 253 characters')
      .regex(
        new RegExp(SECRET_NAME_PATTERN),
        'spec.credentialsRef.name must be a Secret name (lower case letters, digits, - and .)',
      )
      .describe('Name of the Secret, in the namespace of this PolicyJobWatch.'),
  })
  .describe(
    "The Secret with the Huawei Cloud credentials for these jobs, in this resource's namespace. Default: the operator's --credentials-secret.",
  );

/** Whether a string is a URL the way the CRD's isURL() and url() see it, roughly. */
function parseUrl(value: string): URL | undefined {
  // WHATWG parsing is laxer than Go's (it drops tabs, accepts "https:host" and "\"):
  // ask for the plain "scheme://" form and no whitespace or backslash first.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\\]*$/.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * An http:// URL of a loopback host: localhost, 127.0.0.0/8 or [::1], with an optional port.
 * A pattern rather than CEL's ip() library, whose estimated cost the API server refuses.
 */
export const LOOPBACK_HTTP_PATTERN =
  '^http://(localhost|127([.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|\\[::1\\])(:[0-9]{1,5})?/?$';

/** CEL's lowerAscii(): only A-Z change. */
const lowerAscii = (value: string) => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

const endpointRules: ValidationRule<string>[] = [
  {
    rule: "isURL(self) && url(self).getScheme() in ['https', 'http'] && url(self).getHostname() != ''",
    message:
      'spec.endpoint must be an absolute https:// URL such as https://ucs-intl.myhuaweicloud.com',
    holds: (value) => {
      const url = parseUrl(value);
      return url !== undefined && ['https:', 'http:'].includes(url.protocol) && url.hostname !== '';
    },
  },
  {
    rule: "!isURL(self) || url(self).getHostname() == '' || (url(self).getEscapedPath() in ['', '/'] && !self.contains('?') && !self.contains('#') && !self.contains('@'))",
    message:
      "spec.endpoint must be a base URL: no path beyond '/', no query, no fragment, no user info",
    holds: (value) =>
      parseUrl(value) === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@]*\/?$/.test(value),
  },
  {
    // A raw CEL string (r'...'): the pattern has backslashes.
    rule: `!isURL(self) || url(self).getScheme() != 'http' || self.lowerAscii().matches(r'${LOOPBACK_HTTP_PATTERN}')`,
    message:
      'spec.endpoint may use http:// only for a loopback host (localhost, 127.0.0.0/8, [::1]); use https://',
    holds: (value) =>
      parseUrl(value)?.protocol !== 'http:' ||
      new RegExp(LOOPBACK_HTTP_PATTERN).test(lowerAscii(value)),
  },
];

const endpoint = withRules(
  z
    .string()
    .max(MAX_ENDPOINT_LENGTH, `spec.endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters`),
  endpointRules,
).describe(
  "Base URL of the UCS API, e.g. https://ucs-intl.myhuaweicloud.com (international site) or https://ucs.myhuaweicloud.com. https only; http is accepted for loopback hosts (tests, local proxies). Default: the operator's --ucs-endpoint. Any other endpoint must be in the operator's --allowed-endpoints.",
);

const minMs = parseDuration(POLL_INTERVAL_MIN) ?? 0;
const maxMs = parseDuration(POLL_INTERVAL_MAX) ?? 0;

const durationPattern = new RegExp(DURATION_PATTERN);

// The pattern is a CEL rule rather than an OpenAPI pattern, whose message would only print
// the regular expression.
const pollInterval = withRules(
  z.string().max(32, 'spec.pollInterval must be at most 32 characters'),
  [
    {
      rule: `self.matches('${DURATION_PATTERN}')`,
      message: 'spec.pollInterval must be a duration such as 45s, 2m, 1h or 1m30s',
      holds: (value) => durationPattern.test(value),
    },
    {
      // Guarded: duration() of a non-duration is an evaluation error, and the API server
      // runs every rule even when another rule of the field failed.
      rule: `!self.matches('${DURATION_PATTERN}') || (duration(self) >= duration('${POLL_INTERVAL_MIN}') && duration(self) <= duration('${POLL_INTERVAL_MAX}'))`,
      message: `spec.pollInterval must be between ${POLL_INTERVAL_MIN} and ${POLL_INTERVAL_MAX}`,
      holds: (value) => {
        const ms = durationPattern.test(value) ? parseDuration(value) : undefined;
        return ms === undefined || (ms >= minMs && ms <= maxMs);
      },
    },
  ],
).describe(
  `How often each unfinished job is polled: a duration such as 45s, 2m, 1h or 1m30s, from ${POLL_INTERVAL_MIN} to ${POLL_INTERVAL_MAX}. Default: the operator's --poll-interval (${DEFAULT_POLL_INTERVAL}). Finished jobs are not polled again.`,
);

const ONE_OF_MESSAGE = 'spec must have exactly one of jobIDs and jobSelector';

export const PolicyJobWatchSpecSchema = withRules(
  z.object({
    jobIDs: jobIDs.optional(),
    jobSelector: JobSelectorSchema.optional(),
    credentialsRef: credentialsRef.optional(),
    endpoint: endpoint.optional(),
    pollInterval: pollInterval.optional(),
    suspend: z
      .boolean()
      .optional()
      .describe(
        'When true the operator stops polling and keeps the status as it is; Ready becomes False with reason Suspended. Default: false.',
      ),
  }),
  [
    {
      rule: 'has(self.jobIDs) != has(self.jobSelector)',
      message: ONE_OF_MESSAGE,
      holds: (spec) => (spec.jobIDs === undefined) !== (spec.jobSelector === undefined),
    },
  ],
).describe('Which UCS policy jobs to watch (by ID or by selector), and how.');
