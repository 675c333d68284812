/**
 * Builds the monitoring test tools (promtool, promql-metrics) and generates the Prometheus
 * Operator CRDs into the per-machine cache, so the tests that use them start warm. `.ci/run` runs
 * it before the tests: promtool's cold build takes minutes, more than a test's timeout.
 */
import { goTool } from './go-tools.js';
import { MONITORING_CRDS, monitoringCrdFile } from './monitoring.js';

await Promise.all([
  goTool('promtool'),
  goTool('promql-metrics'),
  ...MONITORING_CRDS.map((crd) => monitoringCrdFile(crd)),
]);
