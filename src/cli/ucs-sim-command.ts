import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ADMIN_ROUTES,
  requireDuration,
  UcsSimulator,
  type FaultRuleInput,
  type UcsSimulatorOptions,
} from '../ucs-sim/index.js';
import { waitForSignal } from './wait-for-signal.js';

const log = (line: string): void => {
  process.stderr.write(`ucs-sim: ${line}\n`);
};

interface UcsSimFlags {
  port: number;
  host: string;
  token?: string;
  ak?: string;
  sk?: string;
  securityToken?: string;
  domainId?: string;
  iamUser?: string;
  iamPassword?: string;
  iamDomain?: string;
  tokenTtl: string;
  scenario?: string;
  latency?: string;
  errorRate?: number;
  throttleRate?: number;
  retryAfter?: string;
  badGatewayRate?: number;
  malformedRate?: number;
  hangRate?: number;
  seed?: number;
  tlsCert?: string;
  tlsKey?: string;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port is 0-65535');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('a rate is a number from 0 to 1');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

function duration(value: string): string {
  try {
    requireDuration(value, 'duration');
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
  return value;
}

const HELP_AFTER = `
Every option holding a secret can come from the environment instead, so that it does not
show in "ps": UCS_SIM_TOKEN, UCS_SIM_AK, UCS_SIM_SK, UCS_SIM_SECURITY_TOKEN, UCS_SIM_IAM_PASSWORD.
With no auth option, requests are not checked. Secrets are never logged.

Serves GET /v1/policy/jobs/{jobid} (with no --scenario: the API page's example job
c7678551-1f7e-4699-9ea1-3baa2d32f552), IAM's GET /v3/auth/domains (the caller's account, which
AK/SK callers must send as X-Domain-Id) and, with --iam-*, POST /v3/auth/tokens.
Prints "ucs-sim listening on <url>" on stdout once ready; logs go to stderr.
Stops on SIGINT/SIGTERM. Scenario file format: examples/ucs-sim/scenario.yaml.

Admin API for tests (JSON; never under /v1):
${ADMIN_ROUTES.map((r) => `  ${r}`).join('\n')}
`;

function faultFromFlags(flags: UcsSimFlags): FaultRuleInput | undefined {
  const fault: FaultRuleInput = {};
  if (flags.errorRate !== undefined) fault.errorRate = flags.errorRate;
  if (flags.throttleRate !== undefined) fault.throttleRate = flags.throttleRate;
  if (flags.retryAfter !== undefined) fault.retryAfter = flags.retryAfter;
  if (flags.badGatewayRate !== undefined) fault.badGatewayRate = flags.badGatewayRate;
  if (flags.malformedRate !== undefined) fault.malformedRate = flags.malformedRate;
  if (flags.hangRate !== undefined) fault.hangRate = flags.hangRate;
  return Object.keys(fault).length > 0 ? fault : undefined;
}

async function simulatorOptions(flags: UcsSimFlags): Promise<UcsSimulatorOptions> {
  const options: UcsSimulatorOptions = {
    port: flags.port,
    host: flags.host,
    tokenTtlSeconds: requireDuration(flags.tokenTtl, '--token-ttl') / 1000,
    log,
  };
  if (flags.token !== undefined) options.token = flags.token;
  if (flags.ak !== undefined) options.ak = flags.ak;
  if (flags.sk !== undefined) options.sk = flags.sk;
  if (flags.securityToken !== undefined) options.securityToken = flags.securityToken;
  if (flags.domainId !== undefined) options.domainId = flags.domainId;
  if (flags.iamUser !== undefined) options.iamUser = flags.iamUser;
  if (flags.iamPassword !== undefined) options.iamPassword = flags.iamPassword;
  if (flags.iamDomain !== undefined) options.iamDomain = flags.iamDomain;
  if (flags.scenario !== undefined) options.scenarioFile = flags.scenario;
  if (flags.latency !== undefined) options.latencyMs = requireDuration(flags.latency, '--latency');
  if (flags.seed !== undefined) options.randomSeed = flags.seed;
  const fault = faultFromFlags(flags);
  if (fault !== undefined) options.faults = [fault];
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new InvalidArgumentError('--tls-cert and --tls-key go together');
  }
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    options.tls = { cert: await readFile(flags.tlsCert), key: await readFile(flags.tlsKey) };
  }
  return options;
}

/** Names the auth methods in force, without a single secret. */
function describeAuth(options: UcsSimulatorOptions): string {
  const methods: string[] = [];
  if (options.token !== undefined) methods.push('fixed token');
  if (options.ak !== undefined) {
    methods.push(
      `AK/SK signing${options.securityToken === undefined ? '' : ' with security token'}`,
    );
  }
  if (options.iamUser !== undefined) {
    methods.push(`IAM tokens for user ${options.iamUser} in ${options.iamDomain ?? '?'}`);
  }
  return methods.length === 0 ? 'auth not checked' : `auth: ${methods.join(', ')}`;
}

export function ucsSimCommand(): Command {
  return new Command('ucs-sim')
    .description(
      'Run the UCS simulator: a real HTTP server for the UCS policy-job API and IAM tokens, ' +
        'with scenario timelines, faults and an admin API; for tests, the demo and benchmarks',
    )
    .addOption(
      new Option('--port <port>', 'port to listen on; 0 picks a free one')
        .argParser(port)
        .default(0),
    )
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--token <token>', 'accept this fixed token in X-Auth-Token').env('UCS_SIM_TOKEN'),
    )
    .addOption(
      new Option('--ak <ak>', 'access key accepted for AK/SK (SDK-HMAC-SHA256) signing').env(
        'UCS_SIM_AK',
      ),
    )
    .addOption(new Option('--sk <sk>', 'secret key of --ak').env('UCS_SIM_SK'))
    .addOption(
      new Option(
        '--security-token <token>',
        'temporary AK/SK: the X-Security-Token signed requests must carry',
      ).env('UCS_SIM_SECURITY_TOKEN'),
    )
    .addOption(
      new Option(
        '--domain-id <id>',
        'account ID of --ak and --iam-user: AK/SK calls to UCS must send it as X-Domain-Id (default: derived from --iam-domain)',
      ),
    )
    .addOption(
      new Option(
        '--iam-user <name>',
        'serve POST /v3/auth/tokens for this IAM user (password auth)',
      ),
    )
    .addOption(
      new Option('--iam-password <password>', "the IAM user's password").env(
        'UCS_SIM_IAM_PASSWORD',
      ),
    )
    .addOption(
      new Option(
        '--iam-domain <account>',
        'the account (domain) name the user is in and tokens are scoped to',
      ),
    )
    .addOption(
      new Option('--token-ttl <duration>', 'lifetime of issued IAM tokens, e.g. 24h, 90s')
        .argParser(duration)
        .default('24h'),
    )
    .addOption(
      new Option('--scenario <file>', 'YAML or JSON scenario: jobs, task lists, timelines, faults'),
    )
    .addOption(
      new Option('--latency <duration>', 'delay every UCS answer, e.g. 20ms').argParser(duration),
    )
    .addOption(
      new Option('--error-rate <rate>', 'share of UCS requests answered 500 (0-1)').argParser(rate),
    )
    .addOption(
      new Option('--throttle-rate <rate>', 'share answered 429 with Retry-After (0-1)').argParser(
        rate,
      ),
    )
    .addOption(
      new Option('--retry-after <duration>', 'Retry-After of those 429s (default 1s)').argParser(
        duration,
      ),
    )
    .addOption(
      new Option(
        '--bad-gateway-rate <rate>',
        'share answered 502 with an HTML page (0-1)',
      ).argParser(rate),
    )
    .addOption(
      new Option('--malformed-rate <rate>', 'share answered 200 with cut-off JSON (0-1)').argParser(
        rate,
      ),
    )
    .addOption(
      new Option('--hang-rate <rate>', 'share never answered at all (0-1)').argParser(rate),
    )
    .addOption(
      new Option('--seed <n>', 'seed the fault dice, to repeat a run exactly').argParser(integer),
    )
    .addOption(
      new Option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (with --tls-key)'),
    )
    .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert'))
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: UcsSimFlags) => {
      const options = await simulatorOptions(flags);
      // Listen for signals before announcing the URL: whoever reads the line may signal at once.
      const signalled = waitForSignal();
      const sim = await UcsSimulator.start(options);
      log(
        `${describeAuth(options)}; ${String(sim.jobs().length)} jobs; admin API at ${sim.url}/_sim/`,
      );
      process.stdout.write(`ucs-sim listening on ${sim.url}\n`);
      await signalled;
      log('stopping');
      await sim.stop();
      log('stopped');
    });
}
