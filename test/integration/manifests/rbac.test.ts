/**
 * The RBAC of manifests/, for real: its ServiceAccount, ClusterRole(Binding) and
 * Role(Binding) are applied to the shared kube-apiserver (RBAC mode), and the operator runs in
 * this process with a token of that ServiceAccount (TokenRequest API), configured by the
 * Deployment's own args. Whatever the operator does beyond those grants fails here.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import {
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
} from '@kubernetes/client-node';
import { REQUESTED_AT_ANNOTATION } from '../../../src/api/index.js';
import { Operator } from '../../../src/runtime/operator.js';
import { SEED_JOB_ID, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { kubectl } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import { eventually, sleep } from '../../../harness/eventually.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';
import {
  configFromArgs,
  find,
  findDeployment,
  MANIFESTS,
  operatorArgs,
  render,
  SA_USER,
  SERVICE_ACCOUNT,
  SYSTEM_NAMESPACE,
  toYaml,
  type KubeObject,
} from './rendered.js';

const NS = 'manifests-rbac';
const OTHER_NS = 'manifests-rbac-other';
const TOKEN = 'rbac-sim-token-8c1e';
const LABEL = 'policyjobwatch.io/test';
const RBAC_KINDS = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
const PJW = 'policyjobwatches.ucs.policyjobwatch.io';

/** `kubectl auth can-i` as the operator's ServiceAccount: true for "yes". */
async function canI(args: string[]): Promise<boolean> {
  const result = await kubectl(['auth', 'can-i', `--as=${SA_USER}`, ...args]);
  const answer = result.stdout.trim();
  if (answer !== 'yes' && answer !== 'no') {
    throw new Error(`kubectl auth can-i ${args.join(' ')}: ${result.stderr}${result.stdout}`);
  }
  return answer === 'yes';
}

/** A kubeconfig that authenticates with a bound token of the operator's ServiceAccount. */
async function serviceAccountKubeConfig(admin: KubeConfig): Promise<KubeConfig> {
  const core = admin.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: SERVICE_ACCOUNT,
    namespace: SYSTEM_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error('TokenRequest returned no token');
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'control-plane' }],
    users: [{ name: SA_USER, token }],
    contexts: [{ name: 'operator', cluster: 'control-plane', user: SA_USER }],
    currentContext: 'operator',
  });
  return kc;
}

describe('the RBAC of manifests/: the operator runs as its ServiceAccount', function () {
  this.timeout(90_000);
  // Admin helpers (create, wait, events); the operator itself is started below, not by it.
  const h = new OperatorHarness(NS);
  const logs: string[] = [];
  let rendered: KubeObject[];
  let sim: UcsSimulator;
  let operator: Operator | undefined;

  before(async () => {
    await installCrd(h.kc);
    rendered = (await render(MANIFESTS)).objects;
    const ns = await kubectl(['apply', '-f', '-'], {
      input: toYaml([find(rendered, 'Namespace', SYSTEM_NAMESPACE)]),
    });
    expect(ns.code, ns.stderr).to.equal(0);
    const rbac = rendered.filter((o) => RBAC_KINDS.includes(o.kind));
    expect(rbac.map((o) => o.kind).sort()).to.deep.equal([...RBAC_KINDS].sort());
    const applied = await kubectl(['apply', '-f', '-'], { input: toYaml(rbac) });
    expect(applied.code, applied.stderr).to.equal(0);
    for (const namespace of [NS, OTHER_NS])
      await h.core
        .createNamespace({ body: { metadata: { name: namespace } } })
        .catch(() => undefined);

    sim = await UcsSimulator.start({ token: TOKEN });
    // The default credentials, where --credentials-secret of the Deployment points.
    await h.core
      .deleteNamespacedSecret({ namespace: SYSTEM_NAMESPACE, name: 'ucs-credentials' })
      .catch(() => undefined);
    await h.core.createNamespacedSecret({
      namespace: SYSTEM_NAMESPACE,
      body: { metadata: { name: 'ucs-credentials' }, stringData: { token: TOKEN } },
    });
    await h.secret('team-credentials', { token: TOKEN });

    // The Deployment's args as the kubelet would expand them; only what cannot work in a
    // test process changes: the UCS endpoint, loopback ports, and a label selector so that
    // this all-namespaces operator leaves other tests' resources alone.
    const deployment = findDeployment(rendered);
    const config = configFromArgs(operatorArgs(deployment, SYSTEM_NAMESPACE), {
      ucsEndpoint: sim.url,
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '127.0.0.1:0',
      labelSelector: `${LABEL}=rbac`,
      pollInterval: '5s',
    });
    expect(config.namespace).to.equal(undefined);
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        logs.push(chunk.toString());
        done();
      },
    });
    const log = winston.createLogger({
      level: 'debug',
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    operator = new Operator(config, log, {
      kubeConfig: await serviceAccountKubeConfig(h.kc),
      processMetrics: false,
    });
    await operator.start();
  });

  after(async () => {
    await operator?.stop();
    await sim.stop();
    await h.stop();
    // The overlay's grant, in case its test failed half-way.
    await kubectl(['delete', 'clusterrolebinding,clusterrole', 'policyjobwatch-secret-reader']);
  });

  it('the token really is the ServiceAccount (TokenRequest, not the admin)', async () => {
    const kc = await serviceAccountKubeConfig(h.kc);
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(review.status?.userInfo?.username).to.equal(SA_USER);
    expect(review.status?.userInfo?.groups).to.include('system:serviceaccounts');
  });

  it('reconciles fully with only those grants: leader Lease, status, event', async () => {
    await h.create('default-creds', { jobIDs: [SEED_JOB_ID] });
    await h.patch('default-creds', { metadata: { labels: { [LABEL]: 'rbac' } } });
    const obj = await h.waitFor('default-creds', (o) => {
      expect(condition(o, 'Ready')).to.deep.include({ status: 'True', reason: 'JobsSucceeded' });
    });
    expect(obj.status?.observedGeneration).to.equal(obj.metadata.generation);
    const events = await eventuallyEvents('default-creds', 'Normal JobSucceeded');
    expect(events).to.include('Normal JobSucceeded job c7678551');
    // Leadership came first: the Lease named by the Deployment's args, held by this operator.
    const lease = await h.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({
      namespace: SYSTEM_NAMESPACE,
      name: 'policyjobwatch-leader',
    });
    expect(lease.spec?.holderIdentity).to.be.a('string').and.not.equal('');
    const text = logs.join('');
    expect(text).to.not.match(/forbidden/i);
    expect(text).to.not.include('cannot record event');
  });

  it('may not read a Secret outside its namespace: spec.credentialsRef ends Stalled, forbidden', async () => {
    await h.create('own-creds', {
      jobIDs: [SEED_JOB_ID],
      credentialsRef: { name: 'team-credentials' },
    });
    await h.patch('own-creds', { metadata: { labels: { [LABEL]: 'rbac' } } });
    const obj = await h.waitFor('own-creds', (o) => {
      expect(condition(o, 'Stalled')).to.deep.include({
        status: 'True',
        reason: 'CredentialsInvalid',
      });
    });
    expect(condition(obj, 'Stalled')?.message).to.match(
      /may not read Secret manifests-rbac\/team-credentials \(forbidden\)/,
    );
    // The message names the Secret, never a value.
    expect(JSON.stringify(obj.status)).to.not.include(TOKEN);
  });

  it('kubectl auth can-i: what the ServiceAccount may and may not do', async () => {
    const table: [string[], boolean][] = [
      // The resource: read and watch everywhere, write the status only.
      [['list', PJW, '--all-namespaces'], true],
      [['watch', PJW, '--all-namespaces'], true],
      [['get', PJW, '-n', NS], true],
      [['patch', PJW, '--subresource=status', '-n', NS], true],
      // Server-side apply is a PATCH: the status is never PUT.
      [['update', PJW, '--subresource=status', '-n', NS], false],
      [['patch', PJW, '-n', NS], false],
      [['update', PJW, '-n', NS], false],
      [['create', PJW, '-n', NS], false],
      [['delete', PJW, '-n', NS], false],
      [['deletecollection', PJW, '-n', NS], false],
      // events.k8s.io Events anywhere (recorded in the resource's namespace; patch for series).
      [['create', 'events.events.k8s.io', '-n', NS], true],
      [['patch', 'events.events.k8s.io', '-n', NS], true],
      [['update', 'events.events.k8s.io', '-n', NS], false],
      [['delete', 'events.events.k8s.io', '-n', NS], false],
      [['get', 'events.events.k8s.io', '-n', NS], false],
      // Not the core/v1 Events API, which the recorder no longer uses.
      [['create', 'events', '-n', NS], false],
      [['patch', 'events', '-n', NS], false],
      // Secrets: the one default Secret, by name, nothing else.
      [['get', 'secrets/ucs-credentials', '-n', SYSTEM_NAMESPACE], true],
      [['get', 'secrets/other', '-n', SYSTEM_NAMESPACE], false],
      [['list', 'secrets', '-n', SYSTEM_NAMESPACE], false],
      [['watch', 'secrets', '-n', SYSTEM_NAMESPACE], false],
      [['get', 'secrets/ucs-credentials', '-n', OTHER_NS], false],
      [['get', 'secrets/team-credentials', '-n', NS], false],
      [['update', 'secrets/ucs-credentials', '-n', SYSTEM_NAMESPACE], false],
      [['delete', 'secrets/ucs-credentials', '-n', SYSTEM_NAMESPACE], false],
      // Leader election: its Lease in its namespace only.
      [['get', 'leases.coordination.k8s.io/policyjobwatch-leader', '-n', SYSTEM_NAMESPACE], true],
      [
        ['update', 'leases.coordination.k8s.io/policyjobwatch-leader', '-n', SYSTEM_NAMESPACE],
        true,
      ],
      [['create', 'leases.coordination.k8s.io', '-n', SYSTEM_NAMESPACE], true],
      [['get', 'leases.coordination.k8s.io/other', '-n', SYSTEM_NAMESPACE], false],
      [
        ['delete', 'leases.coordination.k8s.io/policyjobwatch-leader', '-n', SYSTEM_NAMESPACE],
        false,
      ],
      [['create', 'leases.coordination.k8s.io', '-n', NS], false],
      // Nothing else, and nothing deleted anywhere.
      [['delete', '*', '--all-namespaces'], false],
      [['delete', 'pods', '-n', SYSTEM_NAMESPACE], false],
      [['get', 'pods', '-n', SYSTEM_NAMESPACE], false],
      [['get', 'configmaps', '-n', SYSTEM_NAMESPACE], false],
      [['create', 'serviceaccounts/token', '-n', SYSTEM_NAMESPACE], false],
      [['get', 'customresourcedefinitions.apiextensions.k8s.io'], false],
      [['impersonate', 'users'], false],
      [['escalate', 'clusterroles.rbac.authorization.k8s.io'], false],
    ];
    const wrong: string[] = [];
    for (const [args, expected] of table) {
      const answer = await canI(args);
      if (answer !== expected) wrong.push(`${args.join(' ')}: ${answer ? 'yes' : 'no'}`);
    }
    expect(wrong, 'answers other than expected').to.deep.equal([]);

    for (const namespace of [SYSTEM_NAMESPACE, NS]) {
      const list = await kubectl(['auth', 'can-i', '--list', `--as=${SA_USER}`, '-n', namespace]);
      expect(list.code, list.stderr).to.equal(0);
      process.stdout.write(
        `\n      kubectl auth can-i --list --as=${SA_USER} -n ${namespace}\n` +
          list.stdout.replace(/^/gm, '      ') +
          '\n',
      );
      expect(list.stdout).to.match(
        /policyjobwatches\.ucs\.policyjobwatch\.io\s+\[\]\s+\[\]\s+\[get list watch\]/,
      );
      // No rule, of any role bound to it, lets it delete anything or do everything.
      const verbs = list.stdout
        .split('\n')
        .slice(1)
        .map((line) => /\[([^\]]*)\]\s*$/.exec(line)?.[1] ?? '');
      expect(verbs.filter((v) => /\b(delete|deletecollection)\b|\*/.test(v))).to.deep.equal([]);
    }
  });

  it('with the namespaced-credentials overlay, spec.credentialsRef works', async () => {
    const overlay = (await render(join(MANIFESTS, 'overlays', 'namespaced-credentials'))).objects;
    const extra = overlay.filter((o) => o.metadata.name === 'policyjobwatch-secret-reader');
    expect(extra.map((o) => o.kind).sort()).to.deep.equal(['ClusterRole', 'ClusterRoleBinding']);
    const applied = await kubectl(['apply', '-f', '-'], { input: toYaml(extra) });
    expect(applied.code, applied.stderr).to.equal(0);
    try {
      expect(await canI(['get', 'secrets/team-credentials', '-n', NS])).to.equal(true);
      expect(await canI(['list', 'secrets', '-n', NS])).to.equal(false);
      // The Secret cache may hold the forbidden answer a few seconds: ask for a poll until then.
      const obj = await eventually(
        async () => {
          await h.patch('own-creds', {
            metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: new Date().toISOString() } },
          });
          await sleep(500);
          const current = await h.get('own-creds');
          expect(condition(current, 'Ready')).to.deep.include({
            status: 'True',
            reason: 'JobsSucceeded',
          });
          return current;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(JSON.stringify(obj.status)).to.not.include('forbidden');
    } finally {
      await kubectl(['delete', 'clusterrolebinding,clusterrole', 'policyjobwatch-secret-reader']);
    }
  });

  async function eventuallyEvents(name: string, wanted: string): Promise<string> {
    let events = '';
    for (let i = 0; i < 40 && !events.includes(wanted); i++) {
      events = (await h.events(name)).join('\n');
      if (!events.includes(wanted)) await sleep(250);
    }
    return events;
  }
});
