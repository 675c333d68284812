import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { goToolCacheDir, goToolModule, runGoTool, runJson } from './go-tools.js';

/** The Prometheus Operator's API types, as the wrapper module hack/controller-gen pins them. */
export const MONITORING_API =
  'github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1';

/** The CRDs of monitoring.coreos.com/v1 the monitoring objects need. */
export const MONITORING_CRDS = ['servicemonitors', 'prometheusrules'] as const;
export type MonitoringCrd = (typeof MONITORING_CRDS)[number];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

let generated: Promise<string> | undefined;

/**
 * The Prometheus Operator's CRDs, generated from its Go API types by controller-gen, as the
 * Prometheus Operator generates the ones it ships (its root module, with the YAML, is not one
 * this machine can fetch). Generated once per machine and per change of hack/controller-gen,
 * into the tool's cache directory.
 */
function generateCrds(): Promise<string> {
  generated ??= (async () => {
    const dir = join(await goToolCacheDir('controller-gen'), 'crds');
    if (await exists(join(dir, `monitoring.coreos.com_${MONITORING_CRDS[0]}.yaml`))) return dir;
    const tmp = `${dir}.tmp-${String(process.pid)}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      const result = await runGoTool(
        'controller-gen',
        ['crd:crdVersions=v1', `paths=${MONITORING_API}`, `output:crd:dir=${tmp}`],
        undefined,
        // It type-checks the API packages through `go list` in the wrapper module.
        { cwd: goToolModule('controller-gen'), timeoutMs: 5 * 60_000 },
      );
      if (result.code !== 0) {
        throw new Error(`controller-gen exited ${String(result.code)}: ${result.stderr}`);
      }
      await rename(tmp, dir).catch(async (err: unknown) => {
        // A concurrent run got there first: its CRDs are the same.
        if (!(await exists(dir))) throw err;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  })();
  generated.catch(() => (generated = undefined));
  return generated;
}

/** The YAML file of one generated CRD. */
export async function monitoringCrdFile(crd: MonitoringCrd): Promise<string> {
  return join(await generateCrds(), `monitoring.coreos.com_${crd}.yaml`);
}

/** `promtool ARGS`; a non-zero exit is a result. */
export function promtool(args: string[]): ReturnType<typeof runGoTool> {
  return runGoTool('promtool', args);
}

/** The metric names each PromQL expression selects, by Prometheus's own parser. */
export function promqlMetrics(exprs: string[]): Promise<string[][]> {
  return runJson<string[][]>('promql-metrics', [], exprs);
}

/** A PrometheusRule's spec.groups, as a Prometheus rule file. */
export async function ruleFileOf(prometheusRuleFile: string): Promise<string> {
  const rule = parse(await readFile(prometheusRuleFile, 'utf8')) as {
    kind: string;
    spec: { groups: unknown[] };
  };
  if (rule.kind !== 'PrometheusRule') throw new Error(`${prometheusRuleFile} is a ${rule.kind}`);
  return JSON.stringify({ groups: rule.spec.groups }, null, 2);
}
