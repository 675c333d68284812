import { expect } from 'chai';
import { Command } from 'commander';
import {
  addOperatorFlags,
  ConfigError,
  defaultOptionValues,
  parseOperatorConfig,
  type OperatorConfig,
} from '../../../src/runtime/config.js';

const LE_ENV = [
  'POLICYJOBWATCH_LEADER_ELECT',
  'POLICYJOBWATCH_LEADER_ELECTION_NAMESPACE',
  'POLICYJOBWATCH_LEADER_ELECTION_ID',
  'POLICYJOBWATCH_LEADER_ELECTION_LEASE_DURATION',
  'POLICYJOBWATCH_LEADER_ELECTION_RENEW_DEADLINE',
  'POLICYJOBWATCH_LEADER_ELECTION_RETRY_PERIOD',
  'POLICYJOBWATCH_IAM_ENDPOINT',
  'POLICYJOBWATCH_ALLOWED_IAM_ENDPOINTS',
  'POLICYJOBWATCH_EVENT_QPS',
  'POLICYJOBWATCH_EVENT_BURST',
];

/** Parses command-line arguments (and the given environment) the way `policyjobwatch run` does. */
function parseArgs(args: string[], env: Record<string, string> = {}): OperatorConfig {
  const saved = new Map(LE_ENV.map((name) => [name, process.env[name]]));
  for (const name of LE_ENV) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, env);
  try {
    const command = addOperatorFlags(new Command('run')).exitOverride();
    command.parse(args, { from: 'user' });
    return parseOperatorConfig(command.opts(), { ...env });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

function configError(args: string[], env: Record<string, string> = {}): string {
  try {
    parseArgs(args, env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a configuration error for ${args.join(' ')}`);
}

describe('config: leader election flags', () => {
  it('defaults: off, policyjobwatch-leader in policyjobwatch-system, 15s/10s/2s', () => {
    const c = parseArgs([]);
    expect(c.leaderElect).to.equal(false);
    expect(c.leaderElectionNamespace).to.equal('policyjobwatch-system');
    expect(c.leaderElectionId).to.equal('policyjobwatch-leader');
    expect(c.leaderElectionLeaseDuration).to.equal(15_000);
    expect(c.leaderElectionRenewDeadline).to.equal(10_000);
    expect(c.leaderElectionRetryPeriod).to.equal(2_000);
  });

  it('keeps the defaults of the existing flags', () => {
    const c = parseArgs([]);
    expect(c.pollInterval).to.equal(30_000);
    expect(c.metricsBindAddress).to.equal(':8080');
    expect(c.healthProbeBindAddress).to.equal(':8081');
    expect(defaultOptionValues()).to.include({ leaderElect: 'false' });
    // commander leaves the empty default of --allowed-endpoints unset: still valid.
    expect(c.allowedEndpoints).to.deep.equal(['https://ucs.myhuaweicloud.com']);
  });

  it('--leader-elect alone turns it on; =true / =false say so', () => {
    expect(parseArgs(['--leader-elect']).leaderElect).to.equal(true);
    expect(parseArgs(['--leader-elect', '--namespace', 'x']).leaderElect).to.equal(true);
    expect(parseArgs(['--leader-elect=true']).leaderElect).to.equal(true);
    expect(parseArgs(['--leader-elect=false']).leaderElect).to.equal(false);
  });

  it('reads the environment: POLICYJOBWATCH_LEADER_ELECT=false stays off', () => {
    expect(parseArgs([], { POLICYJOBWATCH_LEADER_ELECT: 'true' }).leaderElect).to.equal(true);
    expect(parseArgs([], { POLICYJOBWATCH_LEADER_ELECT: 'false' }).leaderElect).to.equal(false);
    const c = parseArgs([], {
      POLICYJOBWATCH_LEADER_ELECTION_ID: 'my-lease',
      POLICYJOBWATCH_LEADER_ELECTION_LEASE_DURATION: '30s',
    });
    expect(c.leaderElectionId).to.equal('my-lease');
    expect(c.leaderElectionLeaseDuration).to.equal(30_000);
  });

  it('takes the namespace from the flag, else $POD_NAMESPACE', () => {
    expect(parseArgs([], { POD_NAMESPACE: 'ops' }).leaderElectionNamespace).to.equal('ops');
    expect(
      parseArgs(['--leader-election-namespace', 'mine'], { POD_NAMESPACE: 'ops' })
        .leaderElectionNamespace,
    ).to.equal('mine');
  });

  it('accepts the short timings of the HA tests', () => {
    const c = parseArgs([
      '--leader-elect',
      '--leader-election-lease-duration',
      '4s',
      '--leader-election-renew-deadline',
      '3s',
      '--leader-election-retry-period',
      '500ms',
    ]);
    expect([
      c.leaderElectionLeaseDuration,
      c.leaderElectionRenewDeadline,
      c.leaderElectionRetryPeriod,
    ]).to.deep.equal([4_000, 3_000, 500]);
  });

  const invalid: [string, string[], string][] = [
    [
      'a word that is not a boolean',
      ['--leader-elect=yes'],
      '--leader-elect (POLICYJOBWATCH_LEADER_ELECT): "yes" is not true or false',
    ],
    [
      'renew deadline equal to the lease duration',
      ['--leader-election-lease-duration', '10s'],
      '--leader-election-renew-deadline (POLICYJOBWATCH_LEADER_ELECTION_RENEW_DEADLINE): must be less than --leader-election-lease-duration',
    ],
    [
      'retry period longer than the renew deadline',
      ['--leader-election-retry-period', '11s'],
      '--leader-election-retry-period (POLICYJOBWATCH_LEADER_ELECTION_RETRY_PERIOD): must be less than --leader-election-renew-deadline',
    ],
    [
      'a lease duration that is not whole seconds',
      ['--leader-election-lease-duration', '15500ms'],
      '--leader-election-lease-duration (POLICYJOBWATCH_LEADER_ELECTION_LEASE_DURATION): must be whole seconds',
    ],
    [
      'a lease duration that is not a duration',
      ['--leader-election-lease-duration', 'soon'],
      '"soon" is not a duration',
    ],
    [
      'a Lease name with capitals',
      ['--leader-election-id', 'Leader'],
      '--leader-election-id (POLICYJOBWATCH_LEADER_ELECTION_ID): must be a Lease name',
    ],
    [
      'a namespace with a slash',
      ['--leader-election-namespace', 'a/b'],
      '--leader-election-namespace (POLICYJOBWATCH_LEADER_ELECTION_NAMESPACE): must be a namespace name',
    ],
  ];
  for (const [title, args, message] of invalid) {
    it(`refuses ${title}`, () => {
      expect(configError(args)).to.include(message);
    });
  }
});

describe('config: IAM endpoint flags', () => {
  it('default to the global IAM endpoint, which is always allowed', () => {
    const c = parseArgs([]);
    expect(c.iamEndpoint).to.equal('https://iam.myhuaweicloud.com');
    expect(c.allowedIamEndpoints).to.deep.equal(['https://iam.myhuaweicloud.com']);
  });

  it('--iam-endpoint is allowed besides the list; the environment works too', () => {
    const c = parseArgs(['--iam-endpoint', 'https://IAM.example.com/'], {
      POLICYJOBWATCH_ALLOWED_IAM_ENDPOINTS: 'https://iam.a.example, http://127.0.0.1:8443',
    });
    expect(c.iamEndpoint).to.equal('https://iam.example.com');
    expect(c.allowedIamEndpoints).to.deep.equal([
      'https://iam.example.com',
      'https://iam.a.example',
      'http://127.0.0.1:8443',
    ]);
    expect(
      parseArgs([], { POLICYJOBWATCH_IAM_ENDPOINT: 'https://iam.b.example' }).iamEndpoint,
    ).to.equal('https://iam.b.example');
  });

  it('refuses http on a non-loopback host and URLs with a path', () => {
    expect(configError(['--iam-endpoint', 'http://iam.example.com'])).to.include(
      '--iam-endpoint (POLICYJOBWATCH_IAM_ENDPOINT): endpoint http://iam.example.com uses http',
    );
    expect(configError(['--allowed-iam-endpoints', 'https://iam.example.com/v3'])).to.include(
      '--allowed-iam-endpoints (POLICYJOBWATCH_ALLOWED_IAM_ENDPOINTS):',
    );
  });
});

describe('config: event pacing flags', () => {
  it('default to 20 writes a second with a burst of 50', () => {
    const c = parseArgs([]);
    expect([c.eventQps, c.eventBurst]).to.deep.equal([20, 50]);
  });

  it('take the flags and the environment', () => {
    expect(parseArgs(['--event-qps', '2.5', '--event-burst', '5'])).to.deep.include({
      eventQps: 2.5,
      eventBurst: 5,
    });
    const c = parseArgs([], { POLICYJOBWATCH_EVENT_QPS: '7', POLICYJOBWATCH_EVENT_BURST: '9' });
    expect([c.eventQps, c.eventBurst]).to.deep.equal([7, 9]);
  });

  it('refuse a rate of 0 and a burst that is not a whole number', () => {
    expect(configError(['--event-qps', '0'])).to.include('--event-qps (POLICYJOBWATCH_EVENT_QPS)');
    expect(configError(['--event-burst', '1.5'])).to.include(
      '--event-burst (POLICYJOBWATCH_EVENT_BURST)',
    );
  });
});
