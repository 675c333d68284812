/**
 * Builds every Go tool of the tests into the cache and generates the Prometheus Operator CRDs
 * (`.ci/run` does it before the tests, so that a cold build, helm's and promtool's take
 * minutes, never runs inside a test's timeout).
 */
import { goTool, type GoTool } from './go-tools.js';
import { MONITORING_CRDS, monitoringCrdFile } from './monitoring.js';

const TOOLS: GoTool[] = ['argocd-health', 'kstatus', 'helm', 'promtool', 'promql-metrics'];

for (const tool of TOOLS) process.stdout.write(`${tool}: ${await goTool(tool)}\n`);
for (const crd of MONITORING_CRDS)
  process.stdout.write(`${crd}: ${await monitoringCrdFile(crd)}\n`);
