/**
 * Specs and what should become of them, shared by the unit tests (parsePolicyJobWatchSpec) and
 * the integration tests (the real API server with the generated CRD): the two must agree.
 */
export interface SpecCase {
  name: string;
  spec: unknown;
  /** Absent: valid. Otherwise what each side must say about it. */
  invalid?: {
    /** A substring of the API server's message: it names the field. */
    server: string;
    /** A substring of parsePolicyJobWatchSpec's message. */
    zod: string;
  };
}

const ID = 'c7678551-1f7e-4699-9ea1-3baa2d32f552';
const ids = (n: number) => Array.from({ length: n }, (_, i) => `job-${i}`);
const withEndpoint = (endpoint: string) => ({ jobIDs: [ID], endpoint });
const withInterval = (pollInterval: string) => ({ jobIDs: [ID], pollInterval });

const BASE_URL_MESSAGE =
  "spec.endpoint must be a base URL: no path beyond '/', no query, no fragment, no user info";
const LOOPBACK_MESSAGE = 'spec.endpoint may use http:// only for a loopback host';
const ABSOLUTE_MESSAGE = 'spec.endpoint must be an absolute https:// URL';
const BOUNDS_MESSAGE = 'spec.pollInterval must be between 5s and 1h';
const DURATION_MESSAGE = 'spec.pollInterval must be a duration such as 45s, 2m, 1h or 1m30s';

const ONE_OF_MESSAGE = 'spec must have exactly one of jobIDs and jobSelector';
const SELECTOR_DEFAULTS = { kind: 'EnablePolicy', newest: 1 };

export const SPEC_CASES: readonly SpecCase[] = [
  { name: 'one job ID', spec: { jobIDs: [ID] } },
  {
    name: 'every field',
    spec: {
      jobIDs: [ID, 'b387d7e9-b99f-4914-acf6-cd666b7473aa'],
      credentialsRef: { name: 'ucs-credentials' },
      endpoint: 'https://ucs-intl.myhuaweicloud.com',
      pollInterval: '45s',
      suspend: true,
    },
  },
  { name: '100 job IDs', spec: { jobIDs: ids(100) } },
  { name: 'a 128-character job ID', spec: { jobIDs: ['x'.repeat(128)] } },
  { name: 'job IDs with . _ -', spec: { jobIDs: ['a.b_c-D9', '...', '.a'] } },
  {
    name: 'neither jobIDs nor jobSelector',
    spec: {},
    invalid: { server: ONE_OF_MESSAGE, zod: ONE_OF_MESSAGE },
  },
  {
    name: 'both jobIDs and jobSelector',
    spec: { jobIDs: [ID], jobSelector: { kind: 'EnablePolicy', newest: 1 } },
    invalid: { server: ONE_OF_MESSAGE, zod: ONE_OF_MESSAGE },
  },
  { name: 'a jobSelector with its defaults', spec: { jobSelector: SELECTOR_DEFAULTS } },
  {
    name: 'a jobSelector with every field',
    spec: {
      jobSelector: {
        kind: 'UpdateConstraint',
        type: 'UpdateConstraint',
        operation: 'create',
        matchExtendParam: { constraintID: 'c1' },
        matchRelatedObjects: { cluster: 'prod' },
        createdAfter: '2026-01-01T00:00:00Z',
        newest: 3,
      },
    },
  },
  {
    name: 'a jobSelector with newest 0',
    spec: { jobSelector: { ...SELECTOR_DEFAULTS, newest: 0 } },
    invalid: {
      server: 'spec.jobSelector.newest: Invalid value: 0',
      zod: 'spec.jobSelector.newest must be at least 1',
    },
  },
  {
    name: 'a jobSelector with newest 101',
    spec: { jobSelector: { ...SELECTOR_DEFAULTS, newest: 101 } },
    invalid: {
      server: 'spec.jobSelector.newest: Invalid value: 101',
      zod: 'spec.jobSelector.newest must be at most 100',
    },
  },
  {
    name: 'a jobSelector with an empty kind',
    spec: { jobSelector: { ...SELECTOR_DEFAULTS, kind: '' } },
    invalid: { server: 'spec.jobSelector.kind', zod: 'spec.jobSelector.kind must not be empty' },
  },
  {
    name: 'a jobSelector whose createdAfter is not RFC 3339',
    spec: { jobSelector: { ...SELECTOR_DEFAULTS, createdAfter: 'yesterday' } },
    invalid: { server: 'spec.jobSelector.createdAfter', zod: 'spec.jobSelector.createdAfter' },
  },
  {
    name: 'an empty jobIDs list',
    spec: { jobIDs: [] },
    invalid: {
      server: 'spec.jobIDs in body should have at least 1 items',
      zod: 'spec.jobIDs must list at least one job ID',
    },
  },
  {
    name: '101 job IDs',
    spec: { jobIDs: ids(101) },
    invalid: {
      server: 'spec.jobIDs: Too many: 101: must have at most 100 items',
      zod: 'spec.jobIDs must list at most 100 job IDs',
    },
  },
  {
    name: 'a duplicate job ID',
    spec: { jobIDs: ['a', 'b', 'a'] },
    invalid: {
      server: 'spec.jobIDs[2]: Duplicate value: "a"',
      zod: 'spec.jobIDs lists "a" more than once',
    },
  },
  {
    name: 'a job ID with a slash',
    spec: { jobIDs: ['a/b'] },
    invalid: {
      server: "spec.jobIDs[0] in body should match '^[A-Za-z0-9._-]+$'",
      zod: "spec.jobIDs[0]: a job ID may contain only letters, digits, '.', '_' and '-'",
    },
  },
  {
    name: 'a job ID with a percent sign',
    spec: { jobIDs: ['a%2Fb'] },
    invalid: {
      server: "spec.jobIDs[0] in body should match '^[A-Za-z0-9._-]+$'",
      zod: 'spec.jobIDs[0]: a job ID may contain only',
    },
  },
  {
    name: 'the job ID ..',
    spec: { jobIDs: ['ok', '..'] },
    invalid: {
      server: `spec.jobIDs[1]: Invalid value: "..": a job ID must not be '.' or '..'`,
      zod: `spec.jobIDs[1]: a job ID must not be '.' or '..'`,
    },
  },
  {
    name: 'the job ID .',
    spec: { jobIDs: ['.'] },
    invalid: {
      server: `spec.jobIDs[0]: Invalid value: ".": a job ID must not be '.' or '..'`,
      zod: `spec.jobIDs[0]: a job ID must not be '.' or '..'`,
    },
  },
  {
    name: 'a 129-character job ID',
    spec: { jobIDs: ['x'.repeat(129)] },
    invalid: {
      server: 'spec.jobIDs[0]: Too long: may not be more than 128 bytes',
      zod: 'spec.jobIDs[0]: a job ID must be at most 128 characters',
    },
  },
  {
    name: 'an empty job ID',
    spec: { jobIDs: [''] },
    invalid: {
      server: 'spec.jobIDs[0] in body should be at least 1 chars long',
      zod: 'spec.jobIDs[0]: a job ID must not be empty',
    },
  },
  {
    name: 'a job ID that is not a string',
    spec: { jobIDs: [42] },
    invalid: {
      server: 'spec.jobIDs[0]: Invalid value: "integer"',
      zod: 'spec.jobIDs[0]: Invalid input',
    },
  },
  { name: 'pollInterval 5s', spec: withInterval('5s') },
  { name: 'pollInterval 1h', spec: withInterval('1h') },
  { name: 'pollInterval 1m30s', spec: withInterval('1m30s') },
  { name: 'pollInterval 1.5m', spec: withInterval('1.5m') },
  { name: 'pollInterval 5000ms', spec: withInterval('5000ms') },
  { name: 'pollInterval 59m60s', spec: withInterval('59m60s') },
  {
    name: 'pollInterval 1s',
    spec: withInterval('1s'),
    invalid: {
      server: `spec.pollInterval: Invalid value: "1s": ${BOUNDS_MESSAGE}`,
      zod: BOUNDS_MESSAGE,
    },
  },
  {
    name: 'pollInterval 4999ms',
    spec: withInterval('4999ms'),
    invalid: { server: BOUNDS_MESSAGE, zod: BOUNDS_MESSAGE },
  },
  {
    name: 'pollInterval 2h',
    spec: withInterval('2h'),
    invalid: {
      server: `spec.pollInterval: Invalid value: "2h": ${BOUNDS_MESSAGE}`,
      zod: BOUNDS_MESSAGE,
    },
  },
  {
    name: 'pollInterval 1h1ms',
    spec: withInterval('1h1ms'),
    invalid: { server: BOUNDS_MESSAGE, zod: BOUNDS_MESSAGE },
  },
  {
    name: 'pollInterval abc',
    spec: withInterval('abc'),
    invalid: {
      server: `spec.pollInterval: Invalid value: "abc": ${DURATION_MESSAGE}`,
      zod: DURATION_MESSAGE,
    },
  },
  {
    name: 'pollInterval 30 (no unit)',
    spec: withInterval('30'),
    invalid: { server: DURATION_MESSAGE, zod: DURATION_MESSAGE },
  },
  {
    name: 'pollInterval -30s',
    spec: withInterval('-30s'),
    invalid: { server: DURATION_MESSAGE, zod: DURATION_MESSAGE },
  },
  {
    name: 'pollInterval 99999999999h (would overflow duration())',
    spec: withInterval('99999999999h'),
    invalid: { server: DURATION_MESSAGE, zod: DURATION_MESSAGE },
  },
  { name: 'endpoint https with a port', spec: withEndpoint('https://ucs.example.com:8443') },
  { name: 'endpoint https with a slash', spec: withEndpoint('https://ucs.myhuaweicloud.com/') },
  { name: 'endpoint http://127.0.0.1:8080', spec: withEndpoint('http://127.0.0.1:8080') },
  { name: 'endpoint http://127.1.2.3', spec: withEndpoint('http://127.1.2.3/') },
  { name: 'endpoint http://localhost', spec: withEndpoint('http://localhost:9000') },
  { name: 'endpoint http://LOCALHOST', spec: withEndpoint('HTTP://LOCALHOST:9000') },
  { name: 'endpoint http://[::1]', spec: withEndpoint('http://[::1]:8080') },
  {
    name: 'endpoint http on a public host',
    spec: withEndpoint('http://ucs.myhuaweicloud.com'),
    invalid: {
      server: `spec.endpoint: Invalid value: "http://ucs.myhuaweicloud.com": ${LOOPBACK_MESSAGE}`,
      zod: LOOPBACK_MESSAGE,
    },
  },
  {
    name: 'endpoint http on a host that starts like loopback',
    spec: withEndpoint('http://127.0.0.1.nip.io'),
    invalid: { server: LOOPBACK_MESSAGE, zod: LOOPBACK_MESSAGE },
  },
  {
    name: 'endpoint http on localhost.example.com',
    spec: withEndpoint('http://localhost.example.com'),
    invalid: { server: LOOPBACK_MESSAGE, zod: LOOPBACK_MESSAGE },
  },
  {
    name: 'endpoint http on a private address',
    spec: withEndpoint('http://10.0.0.1:8080'),
    invalid: { server: LOOPBACK_MESSAGE, zod: LOOPBACK_MESSAGE },
  },
  {
    name: 'endpoint http on an IPv4-mapped IPv6 address',
    spec: withEndpoint('http://[::ffff:127.0.0.1]/'),
    invalid: { server: LOOPBACK_MESSAGE, zod: LOOPBACK_MESSAGE },
  },
  {
    name: 'endpoint with a path',
    spec: withEndpoint('https://ucs.myhuaweicloud.com/v1'),
    invalid: {
      server: `spec.endpoint: Invalid value: "https://ucs.myhuaweicloud.com/v1": ${BASE_URL_MESSAGE}`,
      zod: BASE_URL_MESSAGE,
    },
  },
  {
    name: 'endpoint with a query',
    spec: withEndpoint('https://ucs.myhuaweicloud.com/?region=x'),
    invalid: { server: BASE_URL_MESSAGE, zod: BASE_URL_MESSAGE },
  },
  {
    name: 'endpoint with an empty query',
    spec: withEndpoint('https://ucs.myhuaweicloud.com?'),
    invalid: { server: BASE_URL_MESSAGE, zod: BASE_URL_MESSAGE },
  },
  {
    name: 'endpoint with user info',
    spec: withEndpoint('https://user:secret@ucs.myhuaweicloud.com'),
    invalid: { server: BASE_URL_MESSAGE, zod: BASE_URL_MESSAGE },
  },
  {
    name: 'endpoint on loopback with user info',
    spec: withEndpoint('http://evil.example.com@127.0.0.1/'),
    invalid: { server: BASE_URL_MESSAGE, zod: BASE_URL_MESSAGE },
  },
  {
    name: 'endpoint without a scheme',
    spec: withEndpoint('ucs.myhuaweicloud.com'),
    invalid: { server: ABSOLUTE_MESSAGE, zod: ABSOLUTE_MESSAGE },
  },
  {
    name: 'endpoint with another scheme',
    spec: withEndpoint('ftp://ucs.myhuaweicloud.com'),
    invalid: { server: ABSOLUTE_MESSAGE, zod: ABSOLUTE_MESSAGE },
  },
  {
    name: 'endpoint that is a path',
    spec: withEndpoint('/v1/policy/jobs'),
    invalid: { server: ABSOLUTE_MESSAGE, zod: ABSOLUTE_MESSAGE },
  },
  {
    name: 'endpoint longer than 1024 characters',
    spec: withEndpoint(`https://${'a'.repeat(1020)}.com`),
    invalid: {
      server: 'spec.endpoint: Too long: may not be more than 1024 bytes',
      zod: 'spec.endpoint must be at most 1024 characters',
    },
  },
  {
    name: 'a credentialsRef name that is not a Secret name',
    spec: { jobIDs: [ID], credentialsRef: { name: 'UCS_Credentials' } },
    invalid: {
      server: 'spec.credentialsRef.name in body should match',
      zod: 'spec.credentialsRef.name must be a Secret name',
    },
  },
  {
    name: 'a credentialsRef without a name',
    spec: { jobIDs: [ID], credentialsRef: {} },
    invalid: {
      server: 'spec.credentialsRef.name: Required value',
      zod: 'spec.credentialsRef.name',
    },
  },
  {
    name: 'suspend that is not a boolean',
    spec: { jobIDs: [ID], suspend: 'yes' },
    invalid: {
      server: 'spec.suspend: Invalid value: "string"',
      zod: 'spec.suspend: Invalid input',
    },
  },
];
