import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { kubectl } from '../../support/control-plane.js';
import { MONITORING_CRDS, monitoringCrdFile } from '../../support/monitoring.js';
import { MANIFESTS, SYSTEM_NAMESPACE, render, type KubeObject } from '../manifests/rendered.js';

const MONITORING = join(MANIFESTS, 'monitoring');

describe('manifests/monitoring on the real apiserver with the Prometheus Operator CRDs', function () {
  this.timeout(10 * 60_000);

  before(async () => {
    for (const crd of MONITORING_CRDS) {
      const file = await monitoringCrdFile(crd);
      const applied = await kubectl(['apply', '--server-side', '-f', file]);
      expect(applied.code, applied.stderr).to.equal(0);
      const established = await kubectl([
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        `crd/${crd}.monitoring.coreos.com`,
      ]);
      expect(established.code, established.stderr).to.equal(0);
    }
    await kubectl(['create', 'namespace', SYSTEM_NAMESPACE]);
  });

  for (const file of ['service-monitor.yaml', 'prometheus-rule.yaml']) {
    it(`${file} is accepted by the CRD's schema (server-side, strict field validation)`, async () => {
      const result = await kubectl([
        'apply',
        '--server-side',
        '--validate=strict',
        '--dry-run=server',
        '-f',
        join(MONITORING, file),
      ]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.equal('');
    });
  }

  describe('the Component added to the kustomize install', () => {
    let dir: string;
    let objects: KubeObject[];
    let yaml: string;

    before(async () => {
      // A user's kustomization: the install plus the Component, as the README shows.
      dir = await mkdtemp(join(tmpdir(), 'pjw-monitoring-'));
      await writeFile(
        join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${relative(dir, MANIFESTS)}`,
          'components:',
          `  - ${relative(dir, MONITORING)}`,
          '',
        ].join('\n'),
      );
      ({ objects, yaml } = await render(dir));
    });

    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('adds a ServiceMonitor that selects the metrics Service and its port', () => {
      const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as
        | (KubeObject & {
            spec: {
              selector: { matchLabels: Record<string, string> };
              endpoints: { port: string }[];
            };
          })
        | undefined;
      const service = objects.find(
        (o) => o.kind === 'Service' && o.metadata.name === 'policyjobwatch-metrics',
      ) as (KubeObject & { spec: { ports: { name: string }[] } }) | undefined;
      expect(monitor, 'ServiceMonitor').to.not.equal(undefined);
      expect(service, 'metrics Service').to.not.equal(undefined);
      expect(monitor?.metadata.namespace).to.equal(service?.metadata.namespace);
      for (const [key, value] of Object.entries(monitor?.spec.selector.matchLabels ?? {}))
        expect(service?.metadata.labels?.[key], key).to.equal(value);
      expect(service?.spec.ports.map((p) => p.name)).to.include(monitor?.spec.endpoints[0]?.port);
    });

    it('adds the dashboard as a ConfigMap for the Grafana sidecar, the JSON file as it is', async () => {
      const dashboard = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === 'policyjobwatch-dashboard',
      ) as (KubeObject & { data: Record<string, string> }) | undefined;
      expect(dashboard?.metadata.labels?.grafana_dashboard).to.equal('1');
      const file = await readFile(join(MONITORING, 'dashboard', 'policyjobwatch.json'), 'utf8');
      expect(dashboard?.data['policyjobwatch.json']).to.equal(file);
      expect(JSON.parse(file)).to.have.property('panels');
    });

    it('the whole install with monitoring passes server-side validation', async () => {
      const file = join(dir, 'rendered.yaml');
      await writeFile(file, yaml);
      const result = await kubectl([
        'apply',
        '--server-side',
        '--validate=strict',
        '--dry-run=server',
        '-f',
        file,
      ]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('prometheusrule.monitoring.coreos.com/policyjobwatch');
    });
  });
});
