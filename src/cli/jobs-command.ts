import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { JobSelectorSchema, parseDuration, type JobSelector } from '../api/index.js';
import { selectedJobIDs } from '../controller/job-selector.js';
import { addOperatorFlags } from '../runtime/config.js';
import { ucsAccess, type CredentialValues } from '../runtime/ucs-access.js';
import type { ListedJob, UcsClient, UcsError, UcsJob } from '../ucs/index.js';

/** The operator's flags that say where UCS is and whose credentials to use. */
const SHARED_FLAGS = [
  'kubeconfig',
  'credentialsSecret',
  'ucsEndpoint',
  'iamEndpoint',
  'caFile',
  'ucsTimeout',
] as const;

/** Credentials given directly: flag, environment variable, the Secret key it stands for. */
const CREDENTIAL_FLAGS: readonly [string, string, keyof CredentialValues][] = [
  ['--token <token>', 'UCS_TOKEN', 'token'],
  ['--access-key <ak>', 'UCS_ACCESS_KEY', 'accessKey'],
  ['--secret-key <sk>', 'UCS_SECRET_KEY', 'secretKey'],
  ['--security-token <token>', 'UCS_SECURITY_TOKEN', 'securityToken'],
  ['--domain-id <id>', 'UCS_DOMAIN_ID', 'domainID'],
  ['--username <name>', 'UCS_USERNAME', 'username'],
  ['--password <password>', 'UCS_PASSWORD', 'password'],
  ['--domain-name <account>', 'UCS_DOMAIN_NAME', 'domainName'],
];

const OUTPUTS = ['table', 'json', 'yaml'] as const;
type Output = (typeof OUTPUTS)[number];

/** A failure the user can act on: printed as one line on stderr, exit code 1. */
class CommandError extends Error {}

interface CommonOptions {
  kubeconfig?: string;
  credentialsSecret?: string;
  ucsEndpoint: string;
  iamEndpoint: string;
  caFile?: string;
  ucsTimeout: string;
  output: Output;
  [key: string]: unknown;
}

function addCommonFlags(command: Command): Command {
  addOperatorFlags(command, SHARED_FLAGS);
  for (const [flag, env, key] of CREDENTIAL_FLAGS) {
    command.addOption(
      new Option(flag, `credentials given directly (Secret key ${key}), instead of the Secret`).env(
        env,
      ),
    );
  }
  return command.addOption(
    new Option('-o, --output <format>', 'table, json or yaml').choices(OUTPUTS).default('table'),
  );
}

/** Option name (camelCase, as commander keeps it) of a credential flag. */
function optionName(flag: string): string {
  const long = flag.split(' ')[0]?.replace(/^--/, '') ?? '';
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A UCS client for the command's flags; closed once `use` is done with it. */
async function withClient<T>(
  options: CommonOptions,
  use: (ucs: UcsClient) => Promise<T>,
): Promise<T> {
  const values: CredentialValues = {};
  for (const [flag, , key] of CREDENTIAL_FLAGS) {
    const value = options[optionName(flag)];
    if (typeof value === 'string') values[key] = value;
  }
  const direct = Object.keys(values).length > 0;
  const timeoutMs = parseDuration(options.ucsTimeout);
  if (timeoutMs === undefined) throw new CommandError(`--ucs-timeout: not a duration`);
  let caBundle: string | undefined;
  if (options.caFile !== undefined) {
    try {
      caBundle = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new CommandError(
        `--ca-file: cannot read ${options.caFile}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  const access = await ucsAccess({
    ucsEndpoint: options.ucsEndpoint,
    iamEndpoint: options.iamEndpoint,
    ...(direct || options.credentialsSecret === undefined
      ? {}
      : { credentialsSecret: options.credentialsSecret }),
    ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
    values,
    timeoutMs,
    ...(caBundle === undefined ? {} : { caBundle }),
  });
  if (!access.ok) throw new CommandError(access.message);
  try {
    return await use(access.client);
  } finally {
    access.close();
  }
}

function ucsFailure(what: string, error: UcsError): CommandError {
  const code = error.code === undefined ? '' : ` ${error.code}`;
  const status = error.httpStatus === undefined ? '' : ` (HTTP ${error.httpStatus}${code})`;
  const request = error.requestID === undefined ? '' : `; request ID ${error.requestID}`;
  return new CommandError(`${what}: ${error.reason}${status}: ${error.message}${request}`);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}

function render(output: Output, value: unknown, asTable: () => string): string {
  if (output === 'json') return JSON.stringify(value, null, 2) + '\n';
  if (output === 'yaml') return stringify(value);
  return asTable();
}

const pairs = (map: Readonly<Record<string, string>> | undefined) =>
  Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** One listed job as printed by -o json|yaml. */
function listedView(item: ListedJob): Record<string, unknown> {
  return {
    jobID: item.id,
    ...(item.createdAt === undefined ? {} : { createdAt: item.createdAt }),
    ...(item.type === undefined ? {} : { type: item.type }),
    ...(item.operation === undefined ? {} : { operation: item.operation }),
    ...(item.job?.status?.status === undefined ? {} : { status: item.job.status.status }),
    ...(item.extendParam === undefined ? {} : { extendParam: item.extendParam }),
    ...(item.relatedObjects === undefined ? {} : { relatedObjects: item.relatedObjects }),
  };
}

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function selectorFrom(options: Record<string, unknown>, newest: number): JobSelector {
  const parsed = JobSelectorSchema.safeParse({
    kind: options.kind,
    type: options.type,
    operation: options.operation,
    matchExtendParam: options.matchExtendParam,
    matchRelatedObjects: options.matchRelatedObjects,
    createdAfter: options.createdAfter,
    newest,
  });
  if (!parsed.success)
    throw new CommandError(
      `invalid selector: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

async function listAction(options: CommonOptions): Promise<string> {
  const newestFlag = options.newest as number | undefined;
  const kind = options.kind as string;
  // The controller's own selection: newest first, every given field must match.
  const selector = selectorFrom(options, newestFlag ?? 1);
  const answer = await withClient(options, (ucs) => ucs.listJobs(kind));
  if (!answer.ok) throw ucsFailure(`cannot list the jobs of kind ${kind}`, answer.error);
  const items = answer.list.items;
  const chosen = new Set(
    selectedJobIDs(items, { ...selector, newest: newestFlag ?? items.length }),
  );
  const matched = items.filter((item) => chosen.has(item.id));
  const view = { kind, items: matched.map(listedView), skipped: answer.list.skipped };
  return render(options.output, view, () =>
    table(
      ['JOB ID', 'TYPE', 'OPERATION', 'STATUS', 'CREATED', 'EXTEND PARAM'],
      matched.map((i) => [
        i.id,
        i.type ?? '',
        i.operation ?? '',
        i.job?.status?.status ?? '',
        i.createdAt ?? '',
        pairs(i.extendParam),
      ]),
    ),
  );
}

function tasksOf(job: UcsJob): { total: number; byStatus: Record<string, number> } {
  const byStatus: Record<string, number> = {};
  const tasks = job.spec?.taskList ?? [];
  for (const t of tasks) {
    const s = t.status?.status ?? 'Unknown';
    byStatus[s] = (byStatus[s] ?? 0) + 1;
  }
  return { total: tasks.length, byStatus };
}

async function getAction(id: string, options: CommonOptions): Promise<string> {
  const answer = await withClient(options, (ucs) => ucs.getJob(id));
  if (!answer.ok) throw ucsFailure(`cannot get job ${id}`, answer.error);
  const job = answer.job;
  return render(options.output, job, () => {
    const tasks = tasksOf(job);
    const counts = Object.entries(tasks.byStatus)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    return table(
      ['JOB ID', 'TYPE', 'STATUS', 'TASKS', 'CREATED', 'REASON'],
      [
        [
          job.metadata?.uid ?? id,
          job.spec?.type ?? '',
          job.status?.status ?? '',
          `${tasks.total}${counts === '' ? '' : ` (${counts})`}`,
          job.metadata?.creationTimestamp ?? '',
          job.status?.reason ?? '',
        ],
      ],
    );
  });
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number, at least 1');
  return n;
}

/** Runs an action; a CommandError is one line on stderr and exit code 1. */
function run<A extends unknown[]>(name: string, action: (...args: A) => Promise<string>) {
  return async (...args: A): Promise<void> => {
    try {
      process.stdout.write(await action(...args));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      process.stderr.write(`policyjobwatch jobs ${name}: ${err.message}\n`);
      process.exitCode = 1;
    }
  };
}

export function jobsCommand(): Command {
  const jobs = new Command('jobs').description(
    'Read UCS policy jobs as the operator does (same credentials, client and selector matching): for troubleshooting and CI scripts.\n' +
      'Credentials: --token, --access-key/--secret-key or --username/--password/--domain-name (or their environment variables); without them, the --credentials-secret Secret read through the kubeconfig.',
  );
  const list = addCommonFlags(
    new Command('list').description(
      'List the jobs of a kind (GET /v1/policy/jobs?kind=K), newest first, that match every selector flag given (as spec.jobSelector does)',
    ),
  )
    .requiredOption('--kind <kind>', 'the job list to read (UCS documents only EnablePolicy)')
    .option('--type <type>', 'only jobs whose spec.type is this')
    .option('--operation <operation>', 'only jobs whose spec.operation is this')
    .option(
      '--match-extend-param <key=value>',
      'spec.extendParam must hold it (repeatable)',
      keyValue,
    )
    .option(
      '--match-related-objects <key=value>',
      'spec.relatedObjects must hold it (repeatable)',
      keyValue,
    )
    .option('--created-after <time>', 'only jobs created after this RFC 3339 time')
    .option('--newest <n>', 'only the newest N matches (default: all)', positiveInt);
  list.action(run('list', (options: CommonOptions) => listAction(options)));
  const get = addCommonFlags(
    new Command('get')
      .description('Show one job (GET /v1/policy/jobs/{id}); -o json|yaml prints it whole')
      .argument('<jobID>', 'the job ID'),
  );
  get.action(run('get', (id: string, options: CommonOptions) => getAction(id, options)));
  return jobs.addCommand(list).addCommand(get);
}
