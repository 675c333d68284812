import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { parseCredentials } from '../../../src/controller/credentials.js';
import { adminKubeConfig, kubectl } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import {
  configFromArgs,
  find,
  findDeployment,
  MANIFESTS,
  operatorArgs,
  render,
  SYSTEM_NAMESPACE,
  toYaml,
  type Deployment,
  type KubeObject,
  type PolicyRule,
} from './rendered.js';

const EXAMPLES_NAMESPACE = 'manifests-examples';

/**
 * Applies with a server-side dry run; warnings (PodSecurity, deprecations) count as failures,
 * except kubectl's note that the CRD, which installCrd created, was not created by kubectl apply.
 */
async function dryRun(args: string[]): Promise<string> {
  const result = await kubectl(['apply', '--dry-run=server', ...args]);
  expect(result.code, result.stderr).to.equal(0);
  const warnings = result.stderr
    .split('\n')
    .filter(
      (l) =>
        l !== '' && !/is missing the kubectl.kubernetes.io\/last-applied-configuration/.test(l),
    );
  expect(warnings, 'warnings from the API server').to.deep.equal([]);
  return result.stdout;
}

describe('manifests/ (kustomize) against the real kube-apiserver', function () {
  this.timeout(60_000);
  let objects: KubeObject[];

  before(async () => {
    await installCrd(adminKubeConfig());
    objects = (await render(MANIFESTS)).objects;
    // A dry run cannot create the namespace that the other objects then go into.
    const ns = await kubectl(['apply', '-f', '-'], {
      input: toYaml([find(objects, 'Namespace', SYSTEM_NAMESPACE)]),
    });
    expect(ns.code, ns.stderr).to.equal(0);
    const examples = await kubectl(['create', 'namespace', EXAMPLES_NAMESPACE]);
    expect(examples.stderr).to.not.match(/forbidden|invalid/i);
  });

  it('renders exactly the objects of an install, namespaced ones in policyjobwatch-system', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(names).to.deep.equal([
      'ClusterRole/policyjobwatch',
      'ClusterRoleBinding/policyjobwatch',
      'CustomResourceDefinition/policyjobwatches.ucs.policyjobwatch.io',
      'Deployment/policyjobwatch',
      'Namespace/policyjobwatch-system',
      'PodDisruptionBudget/policyjobwatch',
      'Role/policyjobwatch',
      'RoleBinding/policyjobwatch',
      'Service/policyjobwatch-metrics',
      'ServiceAccount/policyjobwatch',
    ]);
    const clusterScoped = ['Namespace', 'CustomResourceDefinition', 'ClusterRole'];
    for (const o of objects.filter((x) => !clusterScoped.some((k) => x.kind.startsWith(k))))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).to.equal(SYSTEM_NAMESPACE);
  });

  it('kubectl apply --dry-run=server -k manifests/ succeeds, without a warning', async () => {
    const out = await dryRun(['-k', MANIFESTS]);
    expect(out).to.include('deployment.apps/policyjobwatch created (server dry run)');
    expect(out).to.include(
      'customresourcedefinition.apiextensions.k8s.io/policyjobwatches.ucs.policyjobwatch.io',
    );
  });

  it('runs a pod that the "restricted" Pod Security Standard admits', async () => {
    // The namespace enforces "restricted"; a Deployment that violates it is admitted with a
    // warning only, so ask about a bare Pod from the template, which is refused instead.
    const deployment = findDeployment(objects);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'policyjobwatch-pss', namespace: SYSTEM_NAMESPACE },
      spec: deployment.spec.template.spec,
    };
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify(pod),
    });
    expect(result.code, result.stderr).to.equal(0);
    // And the check can fail: the same pod as root is refused.
    const root = structuredClone(pod);
    root.spec.securityContext = { ...root.spec.securityContext, runAsUser: 0 };
    const refused = await kubectl(['apply', '--dry-run=server', '-f', '-'], {
      input: JSON.stringify(root),
    });
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.match(/violates PodSecurity "restricted:latest"/);
  });

  it('the Deployment: 2 replicas, hardened, probes and ports as the operator serves them', () => {
    const deployment = findDeployment(objects);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(deployment.spec.replicas).to.equal(2);
    expect(pod.serviceAccountName).to.equal('policyjobwatch');
    expect(pod.securityContext).to.deep.include({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container?.securityContext).to.deep.equal({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.image).to.equal('ghcr.io/policyjobwatch/policyjobwatch:0.1.0');
    expect(container?.resources).to.deep.equal({
      requests: { cpu: '50m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
    expect(container?.env).to.deep.include({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    expect(container?.env).to.deep.include({
      name: 'NODE_OPTIONS',
      value: '--max-old-space-size=256 --max-semi-space-size=8',
    });
    expect(container?.env).to.deep.include({ name: 'MALLOC_ARENA_MAX', value: '2' });
    expect(container?.ports).to.deep.include.members([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(container?.livenessProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'health' });
    expect(container?.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'health' });
    const service = find(objects, 'Service', 'policyjobwatch-metrics') as KubeObject & {
      spec: { ports: unknown[] };
    };
    expect(service.spec.ports).to.deep.equal([
      { name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' },
    ]);
  });

  it('the Deployment args are flags `policyjobwatch run` accepts, matching ports and RBAC', () => {
    const deployment = findDeployment(objects);
    // Parsed by the operator's own flag definitions: an unknown or invalid flag throws here.
    const config = configFromArgs(operatorArgs(deployment, SYSTEM_NAMESPACE));
    expect(config.namespace, 'watches all namespaces').to.equal(undefined);
    expect(config.healthProbeBindAddress).to.equal(':8081');
    expect(config.metricsBindAddress).to.equal(':8080');
    expect(config.credentialsSecret).to.deep.equal({
      namespace: SYSTEM_NAMESPACE,
      name: 'ucs-credentials',
    });
    const leader = config as unknown as Record<string, unknown>;
    expect(leader.leaderElect, '--leader-elect').to.equal(true);
    expect(leader.leaderElectionNamespace).to.equal(SYSTEM_NAMESPACE);
    // The Role pins the Secret and the Lease by name: they must be the ones the flags name.
    const role = find(objects, 'Role', 'policyjobwatch') as KubeObject & { rules: PolicyRule[] };
    const secretRule = role.rules.find((r) => r.resources?.includes('secrets'));
    expect(secretRule?.resourceNames).to.deep.equal([config.credentialsSecret.name]);
    const leaseRule = role.rules.find(
      (r) => r.resources?.includes('leases') && r.verbs.includes('update'),
    );
    expect(leaseRule?.resourceNames).to.deep.equal([leader.leaderElectionId]);
  });

  it('a kustomization of your own: another image, another endpoint (as docs/install.md shows)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policyjobwatch-own-kustomization-'));
    try {
      await writeFile(
        join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${relative(dir, MANIFESTS)}`,
          'images:',
          '  - name: ghcr.io/policyjobwatch/policyjobwatch',
          '    newName: registry.example.com/mirror/policyjobwatch',
          '    newTag: 0.1.1',
          'patches:',
          '  - target: { kind: Deployment, name: policyjobwatch }',
          '    patch: |-',
          '      - op: add',
          '        path: /spec/template/spec/containers/0/args/-',
          '        value: --ucs-endpoint=https://ucs-intl.myhuaweicloud.com',
          '      - op: add',
          '        path: /spec/template/spec/containers/0/args/-',
          '        value: --allowed-endpoints=https://ucs.myhuaweicloud.com',
          '',
        ].join('\n'),
      );
      const deployment = findDeployment((await render(dir)).objects);
      expect(deployment.spec.template.spec.containers[0]?.image).to.equal(
        'registry.example.com/mirror/policyjobwatch:0.1.1',
      );
      const config = configFromArgs(operatorArgs(deployment, SYSTEM_NAMESPACE));
      expect(config.ucsEndpoint).to.equal('https://ucs-intl.myhuaweicloud.com');
      expect(config.allowedEndpoints).to.have.members([
        'https://ucs-intl.myhuaweicloud.com',
        'https://ucs.myhuaweicloud.com',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('kubectl kustomize renders the namespaced-credentials overlay: the base plus Secret get', async () => {
    const overlay = (await render(join(MANIFESTS, 'overlays', 'namespaced-credentials'))).objects;
    expect(overlay.length).to.equal(objects.length + 2);
    const reader = find(overlay, 'ClusterRole', 'policyjobwatch-secret-reader') as KubeObject & {
      rules: PolicyRule[];
    };
    // get only: no list or watch, so Secrets still cannot be enumerated.
    expect(reader.rules).to.deep.equal([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    ]);
    const binding = find(overlay, 'ClusterRoleBinding', 'policyjobwatch-secret-reader');
    expect(binding).to.deep.include({
      subjects: [{ kind: 'ServiceAccount', name: 'policyjobwatch', namespace: SYSTEM_NAMESPACE }],
    });
    await dryRun(['-k', join(MANIFESTS, 'overlays', 'namespaced-credentials')]);
  });

  it('kubectl kustomize renders the workload-identity overlay: a projected token, mounted, and --id-token-file', async () => {
    const dir = join(MANIFESTS, 'overlays', 'workload-identity');
    const overlay = (await render(dir)).objects;
    expect(overlay.length).to.equal(objects.length);
    const deployment = findDeployment(overlay) as Deployment & {
      spec: { template: { spec: { volumes?: { name: string; projected?: unknown }[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.volumes).to.deep.equal([
      {
        name: 'ucs-id-token',
        projected: {
          sources: [
            {
              serviceAccountToken: {
                path: 'token',
                audience: 'ucs.policyjobwatch.io',
                expirationSeconds: 3600,
              },
            },
          ],
        },
      },
    ]);
    const container = pod.containers.find((c) => c.name === 'operator') as {
      volumeMounts?: unknown[];
    };
    expect(container.volumeMounts).to.deep.equal([
      { name: 'ucs-id-token', mountPath: '/var/run/secrets/ucs.policyjobwatch.io', readOnly: true },
    ]);
    const config = configFromArgs(operatorArgs(deployment, SYSTEM_NAMESPACE));
    expect(config.idTokenFile).to.equal('/var/run/secrets/ucs.policyjobwatch.io/token');
    // The Secret example holds only the identity provider, and parses as workload identity.
    const example = parse(await readFile(join(dir, 'credentials-secret.example.yaml'), 'utf8')) as {
      stringData: Record<string, string>;
    };
    expect(Object.keys(example.stringData)).to.deep.equal(['idpId']);
    const parsed = parseCredentials(example.stringData);
    expect(parsed.ok && parsed.credentials.kind).to.equal('federated');
    await dryRun(['-k', dir]);
  });

  it('the examples are valid PolicyJobWatch resources for the installed CRD', async () => {
    const out = await dryRun(['-n', EXAMPLES_NAMESPACE, '-k', join(MANIFESTS, 'examples')]);
    expect(out).to.match(/policyjobwatch\.ucs\.policyjobwatch\.io\/gatekeeper-baseline created/);
    expect(out).to.match(/policyjobwatch\.ucs\.policyjobwatch\.io\/intl-rollout created/);
  });

  it('the credentials Secret template: not installed; each of its three alternatives parses', async () => {
    const text = await readFile(join(MANIFESTS, 'credentials-secret.example.yaml'), 'utf8');
    expect(objects.some((o) => o.kind === 'Secret')).to.equal(false);
    const secret = parse(text) as KubeObject & { stringData: Record<string, string> };
    expect(secret.metadata).to.deep.equal({ name: 'ucs-credentials', namespace: SYSTEM_NAMESPACE });
    // As written, exactly one alternative is active, and it is valid.
    const active = parseCredentials(secret.stringData);
    expect(active.ok, JSON.stringify(active)).to.equal(true);
    // The commented ones, uncommented one at a time (optional keys left out), are valid too.
    const line = (key: string): string | undefined =>
      new RegExp(`^\\s*#?\\s*${key}: (\\S+)\\s*$`, 'm').exec(text)?.[1];
    const alternatives = {
      aksk: ['accessKey', 'secretKey'],
      password: ['username', 'password', 'domainName'],
      token: ['token'],
    };
    for (const [kind, keys] of Object.entries(alternatives)) {
      const data = Object.fromEntries(keys.map((k) => [k, line(k) ?? '']));
      const parsed = parseCredentials(data);
      expect(parsed.ok && parsed.credentials.kind, `${kind}: ${JSON.stringify(parsed)}`).to.equal(
        kind,
      );
    }
    // And the API server takes it.
    await dryRun(['-f', join(MANIFESTS, 'credentials-secret.example.yaml')]);
  });
});
