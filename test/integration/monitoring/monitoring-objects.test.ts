import { expect } from 'chai';
import { join } from 'node:path';
import { kubectl } from '../../support/control-plane.js';
import { MONITORING_CRDS, monitoringCrdFile } from '../../support/monitoring.js';
import { MANIFESTS, SYSTEM_NAMESPACE } from '../manifests/rendered.js';

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
});
