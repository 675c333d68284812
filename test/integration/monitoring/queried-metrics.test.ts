import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEED_JOB_ID } from '../../../src/ucs-sim/index.js';
import { promqlMetrics, ruleFileOf } from '../../support/monitoring.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { MANIFESTS } from '../manifests/rendered.js';

const NS = 'monitoring-metrics';
const TOKEN = 'sim-token-monitoring-5e21';
const MONITORING = join(MANIFESTS, 'monitoring');

/** The series names a /metrics page exports: from its TYPE lines, with a histogram's parts. */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const match of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    names.add(name);
    if (type === 'histogram')
      for (const part of ['_bucket', '_sum', '_count']) names.add(name + part);
    if (type === 'summary') for (const part of ['_sum', '_count']) names.add(name + part);
  }
  return names;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every PromQL query of the dashboard: panel targets, and the variables' label_values(). */
async function dashboardQueries(): Promise<{ exprs: string[]; variableMetrics: string[] }> {
  const dashboard = JSON.parse(
    await readFile(join(MONITORING, 'dashboard', 'policyjobwatch.json'), 'utf8'),
  ) as { panels: Panel[]; templating?: { list: { query?: unknown }[] } };
  const exprs: string[] = [];
  const walk = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) if (target.expr) exprs.push(target.expr);
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  const variableMetrics = (dashboard.templating?.list ?? []).flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : JSON.stringify(v.query ?? '');
    return [...query.matchAll(/label_values\((\w+)/g)].map((m) => m[1] ?? '');
  });
  // Grafana's variables, as Grafana substitutes them before the query reaches Prometheus.
  const substituted = exprs.map((e) =>
    e.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', '.*'),
  );
  return { exprs: substituted, variableMetrics };
}

describe('every metric the dashboard and the alerts query is one the operator exports', function () {
  this.timeout(2 * 60_000);
  const h = new OperatorHarness(NS);
  let exported: Set<string>;

  before(async () => {
    await h.startWithSimulator({ sim: { token: TOKEN }, flags: { pollInterval: '5s' } });
    const op = h.operator!;
    // One reconcile with a UCS call, so the per-call series exist too.
    await h.create('seed', { jobIDs: [SEED_JOB_ID] });
    await h.waitFor('seed', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
    const res = await fetch(`http://127.0.0.1:${String(op.metricsPort)}/metrics`);
    expect(res.status).to.equal(200);
    exported = exportedNames(await res.text());
  });

  after(async () => {
    await h.stop();
  });

  it('reads a live /metrics page with the controller-runtime and UCS metrics', () => {
    for (const name of ['controller_runtime_reconcile_total', 'ucs_api_requests_total'])
      expect([...exported]).to.include(name);
    expect(exportedNames('# TYPE x_seconds histogram\n')).to.deep.equal(
      new Set(['x_seconds', 'x_seconds_bucket', 'x_seconds_sum', 'x_seconds_count']),
    );
  });

  it("the alerts' expressions (parsed by Prometheus's PromQL parser)", async () => {
    const { groups } = JSON.parse(await ruleFileOf(join(MONITORING, 'prometheus-rule.yaml'))) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = groups.flatMap((g) => g.rules);
    const names = await promqlMetrics(rules.map((r) => r.expr));
    rules.forEach((rule, i) => {
      expect(names[i], rule.alert).to.not.be.empty;
      for (const name of names[i] ?? [])
        expect([...exported], `${rule.alert} queries ${name}`).to.include(name);
    });
  });

  it("the dashboard's panels and variables", async () => {
    const { exprs, variableMetrics } = await dashboardQueries();
    expect(exprs.length).to.be.greaterThan(10);
    expect(variableMetrics).to.not.be.empty;
    const names = await promqlMetrics(exprs);
    const queried = [...new Set([...names.flat(), ...variableMetrics])];
    for (const name of queried)
      expect([...exported], `the dashboard queries ${name}`).to.include(name);
    // The panels the issue asks for are there.
    for (const metric of [
      'policyjobwatch_resources',
      'ucs_api_requests_total',
      'ucs_api_request_duration_seconds_bucket',
      'controller_runtime_reconcile_time_seconds_bucket',
      'workqueue_depth',
      'policyjobwatch_events_dropped_total',
      'policyjobwatch_events_queued',
    ])
      expect(queried).to.include(metric);
  });

  it('would catch a query of a metric the operator does not export', async () => {
    const [names] = await promqlMetrics(['rate(policyjobwatch_no_such_metric_total[5m])']);
    expect(names).to.deep.equal(['policyjobwatch_no_such_metric_total']);
    expect([...exported]).to.not.include(names?.[0]);
  });
});
