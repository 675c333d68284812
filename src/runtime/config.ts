import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { parseDuration } from '../api/index.js';
import { normalizeEndpoint } from '../controller/endpoint-policy.js';
import { DEFAULT_IAM_ENDPOINT } from '../ucs/index.js';

/** Every flag of `policyjobwatch run`, with its environment variable and default. */
interface FlagSpec {
  flag: string;
  env: string;
  description: string;
  default?: string;
}

const FLAGS: Record<string, FlagSpec> = {
  kubeconfig: {
    flag: '--kubeconfig <path>',
    env: 'KUBECONFIG',
    description: 'kubeconfig file; default: in-cluster service account, then ~/.kube/config',
  },
  namespace: {
    flag: '--namespace <ns>',
    env: 'POLICYJOBWATCH_NAMESPACE',
    description: 'watch PolicyJobWatch resources in this namespace only; default: all namespaces',
  },
  labelSelector: {
    flag: '--label-selector <selector>',
    env: 'POLICYJOBWATCH_LABEL_SELECTOR',
    description: 'watch only resources matching this label selector (shard across operators)',
  },
  ucsEndpoint: {
    flag: '--ucs-endpoint <url>',
    env: 'POLICYJOBWATCH_UCS_ENDPOINT',
    description: 'default UCS endpoint; the only one the default credentials are sent to',
    default: 'https://ucs.myhuaweicloud.com',
  },
  allowedEndpoints: {
    flag: '--allowed-endpoints <urls>',
    env: 'POLICYJOBWATCH_ALLOWED_ENDPOINTS',
    description:
      'comma-separated endpoints a resource may name in spec.endpoint (with its own credentialsRef); the default endpoint is always allowed',
    default: '',
  },
  iamEndpoint: {
    flag: '--iam-endpoint <url>',
    env: 'POLICYJOBWATCH_IAM_ENDPOINT',
    description:
      'IAM endpoint for Secrets without iamEndpoint: password logins and the AK/SK account ID lookup; always allowed',
    default: DEFAULT_IAM_ENDPOINT,
  },
  allowedIamEndpoints: {
    flag: '--allowed-iam-endpoints <urls>',
    env: 'POLICYJOBWATCH_ALLOWED_IAM_ENDPOINTS',
    description:
      "comma-separated IAM endpoints a Secret's iamEndpoint may name; --iam-endpoint is always allowed",
    default: DEFAULT_IAM_ENDPOINT,
  },
  credentialsSecret: {
    flag: '--credentials-secret <namespace/name>',
    env: 'POLICYJOBWATCH_CREDENTIALS_SECRET',
    description:
      'Secret with the default UCS credentials, for resources without spec.credentialsRef',
    default: 'policyjobwatch-system/ucs-credentials',
  },
  pollInterval: {
    flag: '--poll-interval <duration>',
    env: 'POLICYJOBWATCH_POLL_INTERVAL',
    description:
      'how often jobs that are not finished are fetched, unless spec.pollInterval says (5s..1h)',
    default: '30s',
  },
  maxConcurrentReconciles: {
    flag: '--max-concurrent-reconciles <n>',
    env: 'POLICYJOBWATCH_MAX_CONCURRENT_RECONCILES',
    description: 'resources reconciled in parallel',
    default: '4',
  },
  ucsQps: {
    flag: '--ucs-qps <n>',
    env: 'POLICYJOBWATCH_UCS_QPS',
    description: 'UCS requests per second, for all resources together (token bucket)',
    default: '10',
  },
  ucsBurst: {
    flag: '--ucs-burst <n>',
    env: 'POLICYJOBWATCH_UCS_BURST',
    description: 'UCS request burst above --ucs-qps',
    default: '20',
  },
  ucsMaxInFlight: {
    flag: '--ucs-max-in-flight <n>',
    env: 'POLICYJOBWATCH_UCS_MAX_IN_FLIGHT',
    description: 'UCS requests open at the same time',
    default: '16',
  },
  ucsTimeout: {
    flag: '--ucs-timeout <duration>',
    env: 'POLICYJOBWATCH_UCS_TIMEOUT',
    description: 'time-out of one UCS request',
    default: '10s',
  },
  eventQps: {
    flag: '--event-qps <n>',
    env: 'POLICYJOBWATCH_EVENT_QPS',
    description:
      'Kubernetes Event writes per second (token bucket); a burst of events waits and is written at this rate',
    default: '20',
  },
  eventBurst: {
    flag: '--event-burst <n>',
    env: 'POLICYJOBWATCH_EVENT_BURST',
    description: 'Event write burst above --event-qps',
    default: '50',
  },
  caFile: {
    flag: '--ca-file <path>',
    env: 'POLICYJOBWATCH_CA_FILE',
    description: 'extra PEM CA bundle to trust for UCS and IAM, besides the system roots',
  },
  idTokenFile: {
    flag: '--id-token-file <path>',
    env: 'POLICYJOBWATCH_ID_TOKEN_FILE',
    description:
      'OIDC ID token file (a projected ServiceAccount token) for credentials Secrets with idpId (workload identity); read again at every exchange',
  },
  maxTasksPerJob: {
    flag: '--max-tasks-per-job <n>',
    env: 'POLICYJOBWATCH_MAX_TASKS_PER_JOB',
    description: 'tasks kept per job in the status (counts stay exact; failures are kept first)',
    default: '100',
  },
  metricsBindAddress: {
    flag: '--metrics-bind-address <host:port>',
    env: 'POLICYJOBWATCH_METRICS_BIND_ADDRESS',
    description: 'address of /metrics (Prometheus); "0" disables it',
    default: ':8080',
  },
  healthProbeBindAddress: {
    flag: '--health-probe-bind-address <host:port>',
    env: 'POLICYJOBWATCH_HEALTH_PROBE_BIND_ADDRESS',
    description: 'address of /healthz and /readyz; "0" disables them',
    default: ':8081',
  },
  leaderElect: {
    flag: '--leader-elect [bool]',
    env: 'POLICYJOBWATCH_LEADER_ELECT',
    description:
      'elect a leader on a Lease before reconciling, so that several replicas may run (true or false; the flag alone means true)',
    default: 'false',
  },
  leaderElectionNamespace: {
    flag: '--leader-election-namespace <ns>',
    env: 'POLICYJOBWATCH_LEADER_ELECTION_NAMESPACE',
    description:
      'namespace of the leader election Lease; default: $POD_NAMESPACE, else policyjobwatch-system',
  },
  leaderElectionId: {
    flag: '--leader-election-id <name>',
    env: 'POLICYJOBWATCH_LEADER_ELECTION_ID',
    description: 'name of the leader election Lease',
    default: 'policyjobwatch-leader',
  },
  leaderElectionLeaseDuration: {
    flag: '--leader-election-lease-duration <duration>',
    env: 'POLICYJOBWATCH_LEADER_ELECTION_LEASE_DURATION',
    description:
      'how long standbys wait after the last renew they saw before taking over (whole seconds)',
    default: '15s',
  },
  leaderElectionRenewDeadline: {
    flag: '--leader-election-renew-deadline <duration>',
    env: 'POLICYJOBWATCH_LEADER_ELECTION_RENEW_DEADLINE',
    description:
      'a leader that could not renew for this long stops and exits (less than the lease duration)',
    default: '10s',
  },
  leaderElectionRetryPeriod: {
    flag: '--leader-election-retry-period <duration>',
    env: 'POLICYJOBWATCH_LEADER_ELECTION_RETRY_PERIOD',
    description: 'how often the lease is renewed or tried (less than the renew deadline)',
    default: '2s',
  },
  logLevel: {
    flag: '--log-level <level>',
    env: 'POLICYJOBWATCH_LOG_LEVEL',
    description:
      'error, warn, info or debug (info: a status write when its phase or Ready reason changes; debug: every write)',
    default: 'info',
  },
  logFormat: {
    flag: '--log-format <format>',
    env: 'POLICYJOBWATCH_LOG_FORMAT',
    description: 'json or text',
    default: 'json',
  },
};

/** Adds the operator's flags (or the named ones) to a command; each also reads its environment variable. */
export function addOperatorFlags(command: Command, names?: readonly string[]): Command {
  const specs = names === undefined ? Object.values(FLAGS) : names.map((n) => FLAGS[n]);
  for (const spec of specs) {
    if (spec === undefined) throw new Error('no such operator flag');
    const option = new Option(spec.flag, spec.description).env(spec.env);
    if (spec.default !== undefined && spec.default !== '') option.default(spec.default);
    command.addOption(option);
  }
  return command;
}

const duration = (min: number, max: number, range: string) =>
  z.string().transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a duration like 30s, 2m or 1h`,
      });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${range}` });
      return z.NEVER;
    }
    return ms;
  });

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const endpoint = z.string().transform((value, ctx) => {
  const result = normalizeEndpoint(value);
  if (!result.ok) {
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  }
  return result.endpoint;
});

const endpointList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  )
  .pipe(z.array(endpoint));

const flagBoolean = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not true or false` });
  return z.NEVER;
});

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const bindAddress = z
  .string()
  .regex(/^(0|[\w.-]*:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/, 'must be host:port, :port or 0');

const configSchema = z
  .object({
    kubeconfig: z.string().min(1).optional(),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name')
      .optional(),
    labelSelector: z.string().min(1).optional(),
    ucsEndpoint: endpoint,
    // commander leaves an empty default unset (so that --help shows none).
    allowedEndpoints: endpointList,
    iamEndpoint: endpoint,
    allowedIamEndpoints: endpointList,
    credentialsSecret: z
      .string()
      .regex(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/,
        'must be namespace/name',
      )
      .transform((v) => {
        const [namespace = '', name = ''] = v.split('/');
        return { namespace, name };
      }),
    pollInterval: duration(5_000, 3_600_000, '5s and 1h'),
    maxConcurrentReconciles: count(1, 256),
    ucsQps: z.coerce.number().positive().max(10_000),
    ucsBurst: count(1, 100_000),
    ucsMaxInFlight: count(1, 1024),
    ucsTimeout: duration(100, 300_000, '100ms and 5m'),
    eventQps: z.coerce.number().positive().max(10_000),
    eventBurst: count(1, 100_000),
    caFile: z.string().min(1).optional(),
    idTokenFile: z.string().min(1).optional(),
    maxTasksPerJob: count(1, 1000),
    metricsBindAddress: bindAddress,
    healthProbeBindAddress: bindAddress,
    leaderElect: flagBoolean,
    leaderElectionNamespace: z.string().regex(NAME, 'must be a namespace name').optional(),
    leaderElectionId: z
      .string()
      .regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, 'must be a Lease name')
      .max(253),
    leaderElectionLeaseDuration: duration(1_000, 3_600_000, '1s and 1h').refine(
      (ms) => ms % 1000 === 0,
      'must be whole seconds (a Lease counts seconds)',
    ),
    leaderElectionRenewDeadline: duration(100, 3_600_000, '100ms and 1h'),
    leaderElectionRetryPeriod: duration(100, 3_600_000, '100ms and 1h'),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']),
    logFormat: z.enum(['json', 'text']),
  })
  .superRefine((c, ctx) => {
    // client-go's rules: a leader gives up (renew deadline) before standbys may take over.
    if (c.leaderElectionRenewDeadline >= c.leaderElectionLeaseDuration)
      ctx.addIssue({
        code: 'custom',
        path: ['leaderElectionRenewDeadline'],
        message: 'must be less than --leader-election-lease-duration',
      });
    if (c.leaderElectionRetryPeriod >= c.leaderElectionRenewDeadline)
      ctx.addIssue({
        code: 'custom',
        path: ['leaderElectionRetryPeriod'],
        message: 'must be less than --leader-election-renew-deadline',
      });
  })
  .transform((c, ctx) => {
    let caBundle: string | undefined;
    if (c.caFile !== undefined) {
      try {
        caBundle = readFileSync(c.caFile, 'utf8');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['caFile'],
          message: `cannot read ${c.caFile}: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    // The default endpoints are always allowed; listing them again is harmless.
    return {
      ...c,
      allowedEndpoints: [...new Set([c.ucsEndpoint, ...c.allowedEndpoints])],
      allowedIamEndpoints: [...new Set([c.iamEndpoint, ...c.allowedIamEndpoints])],
      caBundle,
    };
  });

export const DEFAULT_LEADER_ELECTION_NAMESPACE = 'policyjobwatch-system';

export type OperatorConfig = Omit<z.output<typeof configSchema>, 'leaderElectionNamespace'> & {
  /** Resolved: the flag, else $POD_NAMESPACE (the downward API), else policyjobwatch-system. */
  leaderElectionNamespace: string;
};

export class ConfigError extends Error {}

/** The defaults of every flag, as commander would fill them in. */
export function defaultOptionValues(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(FLAGS))
    if (spec.default !== undefined) out[name] = spec.default;
  return out;
}

/** Validates commander's option values; an error names the flag and its environment variable. */
export function parseOperatorConfig(
  options: Record<string, unknown>,
  env: Record<string, string | undefined> = process.env,
): OperatorConfig {
  const result = configSchema.safeParse(options);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const spec: FlagSpec | undefined = FLAGS[name];
      const flag = spec ? `${spec.flag.split(' ')[0] ?? ''} (${spec.env})` : name;
      return `${flag}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const podNamespace = env.POD_NAMESPACE?.trim();
  return {
    ...result.data,
    leaderElectionNamespace:
      result.data.leaderElectionNamespace ??
      (podNamespace ? podNamespace : DEFAULT_LEADER_ELECTION_NAMESPACE),
  };
}
