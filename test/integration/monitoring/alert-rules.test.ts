import { expect } from 'chai';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { promtool, ruleFileOf } from '../../support/monitoring.js';
import { MANIFESTS } from '../manifests/rendered.js';
import { CHART } from '../helm/helm.js';

const MONITORING = join(MANIFESTS, 'monitoring');
const RULE = join(MONITORING, 'prometheus-rule.yaml');
const RULE_TESTS = join(MONITORING, 'tests', 'alerts.test.yaml');

/** The PrometheusRule's groups as policyjobwatch.rules.yaml, beside a copy of the unit tests. */
async function ruleDir(rules: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pjw-rules-'));
  await writeFile(join(dir, 'policyjobwatch.rules.yaml'), rules);
  await copyFile(RULE_TESTS, join(dir, 'alerts.test.yaml'));
  return dir;
}

describe('the alerts, checked and unit-tested by the real promtool', function () {
  this.timeout(5 * 60_000);
  let rules: string;
  const dirs: string[] = [];

  before(async () => {
    rules = await ruleFileOf(RULE);
  });

  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('promtool check rules accepts the PrometheusRule spec as a rule file', async () => {
    const dir = await ruleDir(rules);
    dirs.push(dir);
    const result = await promtool(['check', 'rules', join(dir, 'policyjobwatch.rules.yaml')]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/SUCCESS: 4 rules found/);
  });

  it('promtool test rules: every alert fires on the series that should fire it, and only then', async () => {
    const dir = await ruleDir(rules);
    dirs.push(dir);
    const result = await promtool(['test', 'rules', join(dir, 'alerts.test.yaml')]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('SUCCESS');
    // Every alert of the rule file has a test case.
    const tests = parse(await readFile(RULE_TESTS, 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string }[] }[];
    };
    const tested = new Set(
      tests.tests.flatMap((t) => (t.alert_rule_test ?? []).map((a) => a.alertname)),
    );
    const { groups } = JSON.parse(rules) as { groups: { rules: { alert?: string }[] }[] };
    const alerts = groups.flatMap((g) => g.rules.map((r) => r.alert ?? ''));
    expect(alerts).to.have.length(4);
    for (const alert of alerts) expect([...tested], 'alerts with tests').to.include(alert);
  });

  it('the unit tests fail on a broken alert (a threshold changed or a `for` dropped)', async () => {
    const broken = [rules.replace('> 0.2', '> 0.9'), rules.replace('"for": "5m"', '"for": "0m"')];
    for (const variant of broken) {
      expect(variant).to.not.equal(rules);
      const dir = await ruleDir(variant);
      dirs.push(dir);
      const result = await promtool(['test', 'rules', join(dir, 'alerts.test.yaml')]);
      expect(result.code, result.stdout).to.not.equal(0);
      expect(result.stdout + result.stderr).to.include('FAILED');
    }
  });

  it("the Helm chart's files/alerts.yaml holds the same rules as the Component's PrometheusRule", async () => {
    const chartRules: unknown = parse(await readFile(join(CHART, 'files', 'alerts.yaml'), 'utf8'));
    expect(chartRules).to.deep.equal(JSON.parse(rules));
  });
});
