import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { installCrd } from '../../../harness/crd.js';
import { adminKubeConfig, kubectl } from '../../support/control-plane.js';
import {
  configFromArgs,
  find,
  MANIFESTS,
  operatorArgs,
  REPO_ROOT,
  render,
  SYSTEM_NAMESPACE,
  type Deployment,
  type KubeObject,
} from '../manifests/rendered.js';
import { DIFFERENCES, objectKey } from './differences.js';
import { CHART, helm, helmTemplate, setUpHelm, tearDownHelm } from './helm.js';

/** The chart rendered as an install into policyjobwatch-system under the name policyjobwatch. */
function renderChart(args: string[] = []): Promise<KubeObject[]> {
  return helmTemplate('policyjobwatch', [
    '--namespace',
    SYSTEM_NAMESPACE,
    '--include-crds',
    ...args,
  ]);
}

function deploymentOf(objects: KubeObject[], name = 'policyjobwatch'): Deployment {
  return find(objects, 'Deployment', name) as Deployment;
}

/** Both renderings with every documented difference applied, by object. */
function alike(helmObjects: KubeObject[], kustomizeObjects: KubeObject[]) {
  const rendered = {
    helm: structuredClone(helmObjects),
    kustomize: structuredClone(kustomizeObjects),
  };
  const unused: string[] = [];
  for (const difference of DIFFERENCES) {
    const before = JSON.stringify(rendered);
    difference.apply(rendered);
    if (JSON.stringify(rendered) === before) unused.push(difference.what);
  }
  const byKey = (objects: KubeObject[]) => new Map(objects.map((o) => [objectKey(o), o]));
  return { helm: byKey(rendered.helm), kustomize: byKey(rendered.kustomize), unused };
}

function expectAlike(helmObjects: KubeObject[], kustomizeObjects: KubeObject[]): void {
  const { helm: h, kustomize: k, unused } = alike(helmObjects, kustomizeObjects);
  expect(unused, 'documented differences that change nothing').to.deep.equal([]);
  expect([...h.keys()].sort()).to.deep.equal([...k.keys()].sort());
  for (const [key, object] of k) expect(h.get(key), key).to.deep.equal(object);
}

describe('the Helm chart (charts/policyjobwatch), with the real helm', function () {
  this.timeout(120_000);
  let scratch: string;

  before(async function () {
    // The first run on a machine builds helm (minutes with a cold module cache).
    this.timeout(30 * 60_000);
    await setUpHelm();
    await installCrd(adminKubeConfig());
    scratch = await mkdtemp(join(tmpdir(), 'pjw-helm-chart-'));
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
    await tearDownHelm();
  });

  it("Chart.yaml: version 0.1.0, appVersion the operator's package.json version", async () => {
    const chart = parse(await readFile(join(CHART, 'Chart.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(chart).to.deep.include({ apiVersion: 'v2', name: 'policyjobwatch', version: '0.1.0' });
    expect(chart.appVersion).to.equal(pkg.version);
  });

  it('helm lint --strict passes, and fails on a chart whose values break the schema', async () => {
    const lint = await helm(['lint', '--strict', CHART]);
    expect(lint.code, lint.stdout + lint.stderr).to.equal(0);
    expect(lint.stdout).to.include('1 chart(s) linted, 0 chart(s) failed');
    const broken = join(scratch, 'broken-lint');
    await cp(CHART, broken, { recursive: true });
    const values = await readFile(join(broken, 'values.yaml'), 'utf8');
    await writeFile(join(broken, 'values.yaml'), values.replace(/^replicas: 2$/m, 'replicas: two'));
    const failed = await helm(['lint', '--strict', broken]);
    expect(failed.code).to.not.equal(0);
    expect(failed.stdout + failed.stderr).to.match(/\/replicas.*got string, want integer/);
  });

  it('default values render the kustomize install, object by object, but for the documented differences', async () => {
    const kustomize = (await render(MANIFESTS)).objects;
    expectAlike(await renderChart(), kustomize);
  });

  it('the documented differences are all there is: a changed default shows as drift', async () => {
    const kustomize = (await render(MANIFESTS)).objects;
    const changed = await renderChart(['--set', 'nodeOptions=--max-old-space-size=300']);
    expect(() => {
      expectAlike(changed, kustomize);
    }).to.throw(/Deployment\/policyjobwatch-system\/policyjobwatch/);
  });

  it('namespacedCredentials.enabled renders the namespaced-credentials overlay', async () => {
    const overlay = (await render(join(MANIFESTS, 'overlays', 'namespaced-credentials'))).objects;
    expectAlike(await renderChart(['--set', 'namespacedCredentials.enabled=true']), overlay);
  });

  it('workloadIdentity.enabled renders the workload-identity overlay (its audience, lifetime and path)', async () => {
    const overlay = (await render(join(MANIFESTS, 'overlays', 'workload-identity'))).objects;
    expectAlike(await renderChart(['--set', 'workloadIdentity.enabled=true']), overlay);
  });

  it('README.md lists every documented difference', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const { what } of DIFFERENCES) expect(readme, what).to.include(what);
  });

  describe('values.schema.json: bad values fail the install with the value named', () => {
    const cases: [string, string[], RegExp][] = [
      [
        'replicas as a word',
        ['--set', 'replicas=two'],
        /at '\/replicas': got string, want integer/,
      ],
      ['an unknown key', ['--set', 'replica=2'], /additional properties 'replica' not allowed/],
      [
        'an unknown nested key',
        ['--set', 'image.digets=sha256:0'],
        /at '\/image': additional properties 'digets' not allowed/,
      ],
      ['a digest that is not sha256', ['--set', 'image.digest=latest'], /at '\/image\/digest'/],
      [
        'an http endpoint',
        ['--set', 'ucs.endpoint=http://ucs.example.com'],
        /at '\/ucs\/endpoint'/,
      ],
      [
        'an allowed endpoint with a path',
        ['--set', 'ucs.allowedEndpoints[0]=https://ucs.example.com/v1'],
        /at '\/ucs\/allowedEndpoints\/0'/,
      ],
      ['extraArgs that are not flags', ['--set', 'extraArgs[0]=run'], /at '\/extraArgs\/0'/],
      [
        'a token that expires too soon',
        ['--set', 'workloadIdentity.expirationSeconds=60'],
        /at '\/workloadIdentity\/expirationSeconds'/,
      ],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const result = await helm(['template', 'policyjobwatch', CHART, ...args]);
        expect(result.code).to.not.equal(0);
        expect(result.stderr).to.include("values don't meet the specifications of the schema");
        expect(result.stderr).to.match(message);
      });
    }

    it('what the schema cannot say: several replicas without leader election', async () => {
      const result = await helm([
        'template',
        'policyjobwatch',
        CHART,
        '--set',
        'leaderElection.enabled=false',
      ]);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.include('replicas > 1 needs leaderElection.enabled: true');
      // One replica may run without it: the Role then has no Lease rules.
      const single = await renderChart(['--set', 'leaderElection.enabled=false,replicas=1']);
      const role = find(single, 'Role', 'policyjobwatch') as KubeObject & {
        rules: { resources: string[] }[];
      };
      expect(role.rules.map((r) => r.resources)).to.deep.equal([['secrets']]);
      expect(
        single.some((o) => o.kind === 'PodDisruptionBudget'),
        'no PDB for 1 replica',
      ).to.equal(false);
      const args = operatorArgs(deploymentOf(single), SYSTEM_NAMESPACE);
      expect(args.some((a) => a.startsWith('--leader-elect'))).to.equal(false);
    });
  });

  it('values reach the Deployment as flags `policyjobwatch run` accepts, and RBAC follows', async () => {
    const objects = await renderChart([
      '--set',
      [
        'ucs.endpoint=https://ucs-intl.myhuaweicloud.com',
        'ucs.allowedEndpoints[0]=https://ucs.myhuaweicloud.com',
        'iam.endpoint=https://iam.example.com',
        'iam.allowedEndpoints[0]=https://iam.ap-southeast-1.myhuaweicloud.com',
        'credentials.secretName=team-a-keys',
        'leaderElection.id=pjw-lease',
        'extraArgs[0]=--poll-interval=1m',
        'image.digest=sha256:' + 'ab'.repeat(32),
        'replicas=3',
        'nodeSelector.pool=system',
        'podLabels.team=platform',
        'podAnnotations.note=hi',
        'tolerations[0].key=dedicated',
        'tolerations[0].operator=Exists',
        'resources.limits.memory=1Gi',
        'nodeOptions=--max-old-space-size=512',
      ].join(','),
    ]);
    const deployment = deploymentOf(objects);
    const config = configFromArgs(operatorArgs(deployment, SYSTEM_NAMESPACE));
    expect(config.ucsEndpoint).to.equal('https://ucs-intl.myhuaweicloud.com');
    expect(config.allowedEndpoints).to.have.members([
      'https://ucs-intl.myhuaweicloud.com',
      'https://ucs.myhuaweicloud.com',
    ]);
    expect(config.iamEndpoint).to.equal('https://iam.example.com');
    expect(config.credentialsSecret).to.deep.equal({
      namespace: SYSTEM_NAMESPACE,
      name: 'team-a-keys',
    });
    const leader = config as unknown as Record<string, unknown>;
    expect(leader.leaderElectionId).to.equal('pjw-lease');
    expect(config.pollInterval).to.equal(60_000);
    expect(config.allowedIamEndpoints).to.include('https://iam.ap-southeast-1.myhuaweicloud.com');
    const role = find(objects, 'Role', 'policyjobwatch') as KubeObject & {
      rules: { resources: string[]; resourceNames?: string[] }[];
    };
    expect(role.rules.map((r) => r.resourceNames)).to.deep.equal([
      ['team-a-keys'],
      ['pjw-lease'],
      undefined,
    ]);
    expect(deployment.spec.replicas).to.equal(3);
    const pod = deployment.spec.template as unknown as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
    };
    expect(pod.metadata.labels).to.include({ team: 'platform' });
    expect(pod.metadata.annotations).to.deep.equal({ note: 'hi' });
    expect(pod.spec.nodeSelector).to.deep.equal({ pool: 'system' });
    expect(pod.spec.tolerations).to.deep.equal([{ key: 'dedicated', operator: 'Exists' }]);
    const [container] = pod.spec.containers;
    expect(container?.image).to.equal(
      `ghcr.io/policyjobwatch/policyjobwatch@sha256:${'ab'.repeat(32)}`,
    );
    expect(container?.resources).to.deep.equal({
      requests: { cpu: '50m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    expect(container?.env).to.deep.include({
      name: 'NODE_OPTIONS',
      value: '--max-old-space-size=512',
    });
  });

  it('image.tag defaults to appVersion, and a tag of your own replaces it', async () => {
    const image = async (args: string[]) =>
      deploymentOf(await renderChart(args)).spec.template.spec.containers[0]?.image;
    expect(await image([])).to.equal('ghcr.io/policyjobwatch/policyjobwatch:0.1.0');
    expect(
      await image(['--set', 'image.repository=registry.example.com/pjw,image.tag=0.1.1']),
    ).to.equal('registry.example.com/pjw:0.1.1');
  });

  it('workloadIdentity: its values reach the projected token, its mount and --id-token-file', async () => {
    const objects = await renderChart([
      '--set',
      [
        'workloadIdentity.enabled=true',
        'workloadIdentity.audience=iam-idp-client',
        'workloadIdentity.expirationSeconds=7200',
        'workloadIdentity.tokenPath=/var/run/secrets/idp/jwt',
      ].join(','),
    ]);
    const pod = deploymentOf(objects).spec.template.spec as unknown as {
      volumes: unknown[];
      containers: { args: string[]; volumeMounts: unknown[] }[];
    };
    expect(pod.volumes).to.deep.equal([
      {
        name: 'ucs-id-token',
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: 'iam-idp-client',
                expirationSeconds: 7200,
                path: 'jwt',
              },
            },
          ],
        },
      },
    ]);
    const [container] = pod.containers;
    expect(container?.volumeMounts).to.deep.equal([
      { name: 'ucs-id-token', mountPath: '/var/run/secrets/idp', readOnly: true },
    ]);
    expect(container?.args).to.include('--id-token-file=/var/run/secrets/idp/jwt');
    // Off by default: no volume, no flag.
    const plain = deploymentOf(await renderChart()).spec.template.spec as unknown as Record<
      string,
      unknown
    >;
    expect(plain.volumes).to.equal(undefined);
  });

  it('serviceMonitor and prometheusRule: off by default; on, they scrape the metrics Service and hold files/alerts.yaml', async () => {
    const kinds = (objects: KubeObject[]) => objects.map((o) => o.kind);
    expect(kinds(await renderChart())).to.not.include.members(['ServiceMonitor']);
    expect(kinds(await renderChart())).to.not.include.members(['PrometheusRule']);
    const objects = await renderChart([
      '--set',
      'serviceMonitor.enabled=true,serviceMonitor.labels.release=kps,prometheusRule.enabled=true',
    ]);
    const service = find(objects, 'Service', 'policyjobwatch-metrics') as KubeObject & {
      spec: { ports: { name: string }[] };
    };
    const monitor = find(objects, 'ServiceMonitor', 'policyjobwatch') as KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
    };
    expect(monitor.apiVersion).to.equal('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels).to.include({ release: 'kps' });
    expect(service.metadata.labels).to.include(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => p.name)).to.include(monitor.spec.endpoints[0]?.port);
    const rule = find(objects, 'PrometheusRule', 'policyjobwatch') as KubeObject & {
      spec: unknown;
    };
    expect(rule.apiVersion).to.equal('monitoring.coreos.com/v1');
    const alerts: unknown = parse(await readFile(join(CHART, 'files', 'alerts.yaml'), 'utf8'));
    expect(rule.spec).to.deep.equal(alerts);
    // A ServiceMonitor without the Service it selects is refused.
    const orphan = await helm([
      'template',
      'policyjobwatch',
      CHART,
      '--set',
      'serviceMonitor.enabled=true,metrics.service.enabled=false',
    ]);
    expect(orphan.stderr).to.include('serviceMonitor.enabled needs metrics.service.enabled: true');
  });

  describe('helm install, upgrade and uninstall on the real apiserver', () => {
    const RELEASE = 'pjw-helm';
    const NAMESPACE = 'pjw-helm';
    const NAME = `${RELEASE}-policyjobwatch`;
    const NAMESPACED = [
      'serviceaccount',
      'role.rbac.authorization.k8s.io',
      'rolebinding.rbac.authorization.k8s.io',
      'deployment.apps',
      'poddisruptionbudget.policy',
    ].map((kind) => `${kind}/${NAME}`);
    const CLUSTER = ['clusterrole', 'clusterrolebinding'].map((kind) => `${kind}/${NAME}`);
    const SERVICE = `service/${NAME}-metrics`;

    async function deploymentArgs(): Promise<string[]> {
      const got = await kubectl(['get', '-n', NAMESPACE, `deployment/${NAME}`, '-o', 'json']);
      expect(got.code, got.stderr).to.equal(0);
      const deployment = JSON.parse(got.stdout) as Deployment;
      return deployment.spec.template.spec.containers[0]?.args ?? [];
    }

    after(async () => {
      await helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--ignore-not-found']);
      await kubectl(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']);
    });

    it('helm install creates every object of the release', async () => {
      const installed = await helm([
        'install',
        RELEASE,
        CHART,
        '--namespace',
        NAMESPACE,
        '--create-namespace',
      ]);
      expect(installed.code, installed.stderr).to.equal(0);
      expect(installed.stdout).to.match(/STATUS: deployed/);
      const got = await kubectl([
        'get',
        '-n',
        NAMESPACE,
        ...NAMESPACED,
        ...CLUSTER,
        SERVICE,
        '-o',
        'name',
      ]);
      expect(got.code, got.stderr).to.equal(0);
      expect(got.stdout.trim().split('\n')).to.have.length(NAMESPACED.length + CLUSTER.length + 1);
      const crd = await kubectl(['get', 'crd', 'policyjobwatches.ucs.policyjobwatch.io']);
      expect(crd.code, crd.stderr).to.equal(0);
      // The subjects name the release's ServiceAccount in the release namespace.
      const binding = await kubectl(['get', `clusterrolebinding/${NAME}`, '-o', 'json']);
      expect(JSON.parse(binding.stdout)).to.deep.include({
        subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE }],
      });
    });

    it('helm upgrade --set: the changed value reaches the Deployment; a bad one changes nothing', async () => {
      expect(await deploymentArgs()).to.not.include(
        '--ucs-endpoint=https://ucs-intl.myhuaweicloud.com',
      );
      const upgraded = await helm([
        'upgrade',
        RELEASE,
        CHART,
        '--namespace',
        NAMESPACE,
        '--set',
        'ucs.endpoint=https://ucs-intl.myhuaweicloud.com',
      ]);
      expect(upgraded.code, upgraded.stderr).to.equal(0);
      expect(upgraded.stdout).to.match(/REVISION: 2/);
      expect(await deploymentArgs()).to.include(
        '--ucs-endpoint=https://ucs-intl.myhuaweicloud.com',
      );
      const refused = await helm([
        'upgrade',
        RELEASE,
        CHART,
        '--namespace',
        NAMESPACE,
        '--set',
        'ucs.endpoint=ucs-intl.myhuaweicloud.com',
      ]);
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr).to.match(/at '\/ucs\/endpoint'/);
      expect(await deploymentArgs()).to.include(
        '--ucs-endpoint=https://ucs-intl.myhuaweicloud.com',
      );
      const history = await helm(['history', RELEASE, '--namespace', NAMESPACE, '-o', 'json']);
      expect((JSON.parse(history.stdout) as unknown[]).length).to.equal(2);
    });

    it('helm uninstall removes the objects, and keeps the CRD', async () => {
      const removed = await helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait']);
      expect(removed.code, removed.stderr).to.equal(0);
      for (const object of [...NAMESPACED, ...CLUSTER, SERVICE]) {
        const got = await kubectl([
          'get',
          '-n',
          NAMESPACE,
          object,
          '--ignore-not-found',
          '-o',
          'name',
        ]);
        expect(got.code, got.stderr).to.equal(0);
        expect(got.stdout, object).to.equal('');
      }
      const crd = await kubectl(['get', 'crd', 'policyjobwatches.ucs.policyjobwatch.io']);
      expect(crd.code, 'the CRD stays').to.equal(0);
    });
  });

  it('helm package produces policyjobwatch-0.1.0.tgz, which renders as the chart does', async () => {
    const out = join(scratch, 'package');
    const packaged = await helm(['package', CHART, '--destination', out]);
    expect(packaged.code, packaged.stderr).to.equal(0);
    const archive = join(out, 'policyjobwatch-0.1.0.tgz');
    expect(packaged.stdout).to.include(archive);
    const shown = await helm(['show', 'chart', archive]);
    expect(parse(shown.stdout)).to.deep.include({ name: 'policyjobwatch', version: '0.1.0' });
    const fromArchive = await helmTemplate(
      'policyjobwatch',
      ['--namespace', SYSTEM_NAMESPACE, '--include-crds'],
      archive,
    );
    expect(fromArchive).to.deep.equal(await renderChart());
  });
});
