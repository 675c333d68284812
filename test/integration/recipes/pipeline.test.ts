import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { controlPlane, kubectl } from '../../support/control-plane.js';
import { parse } from 'yaml';
import { HEALTH_LUA } from '../../../scripts/argocd-cm-patch.js';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { argocdHealth, goTool } from '../../support/go-tools.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'recipe-pipeline';
const TOKEN = 'sim-token-pipeline-8c1d';
/** A README recipe: the code block right after its marker, exactly as written. */
async function recipe(name: string, lang: string): Promise<string> {
  const marker = `<!-- recipe: ${name} -->`;
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const after = readme.slice(readme.indexOf(marker) + marker.length);
  const block = new RegExp(`^\\s*\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``).exec(after);
  if (!readme.includes(marker) || !block?.[1]) throw new Error(`no ${name} recipe in README`);
  return block[1];
}

function bash(script: string, env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', script],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('README recipe b: a pipeline step that captures jobID, applies a PolicyJobWatch and waits', function () {
  this.timeout(180_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;

  before(async function () {
    this.timeout(10 * 60_000);
    await goTool('argocd-health');
    sim = await h.startWithSimulator({ sim: { token: TOKEN }, flags: { pollInterval: '5s' } });
  });

  after(async () => {
    await h.stop();
  });

  it('runs the recipe as written: the write call starts a job, kubectl wait returns 0 once it succeeded', async () => {
    const cp = controlPlane();
    const script = await recipe('pipeline', 'sh');
    const run = await bash(script, {
      PATH: `${dirname(cp.binaries.kubectl)}:${process.env.PATH ?? ''}`,
      KUBECONFIG: cp.kubeconfigPath,
      UCS_METHOD: 'POST',
      UCS_ENDPOINT: sim.url,
      UCS_WRITE_PATH: '/v1/clusters/cluster-1/policyinstance',
      UCS_WRITE_BODY: JSON.stringify({ policyDefinitionID: 'baseline', parameters: {} }),
      UCS_TOKEN: TOKEN,
      NAMESPACE: NS,
      TIMEOUT: '120s',
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).to.equal(0);
    expect(run.stdout).to.match(/policyjobwatch\.ucs\.policyjobwatch\.io\/rollout-\S+ created/);
    expect(run.stdout).to.match(
      /policyjobwatch\.ucs\.policyjobwatch\.io\/rollout-\S+ condition met/,
    );
    const pjw = (await h.list()).find((o) => o.spec.jobIDs !== undefined);
    const jobID = pjw?.spec.jobIDs?.[0] ?? '';
    expect(pjw?.metadata.name).to.equal(`rollout-${jobID}`);
    expect(condition(pjw!, 'Ready')?.status).to.equal('True');
    expect(pjw?.status?.jobs?.[0]?.jobID).to.equal(jobID);
    // The job the operator watched is the one the write call started.
    expect(sim.requestCount(jobID)).to.be.greaterThan(0);
  });

  it('recipe a: the selector from Git is Progressing (NoJobSelected) for Argo CD, then Healthy once its job succeeded', async () => {
    const manifest = parse(await recipe('selector', 'yaml')) as PolicyJobWatch;
    manifest.metadata.namespace = NS;
    const applied = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    expect(applied.code, applied.stderr).to.equal(0);
    const name = manifest.metadata.name ?? '';
    const health = async () => argocdHealth(HEALTH_LUA, await h.get(name));
    await h.waitFor(name, (o) => {
      expect(condition(o, 'Reconciling')?.reason).to.equal('NoJobSelected');
    });
    expect((await health()).status).to.equal('Progressing');
    expect((await health()).message).to.match(/^NoJobSelected: no UCS job of kind EnablePolicy/);
    const selector = manifest.spec.jobSelector;
    sim.setJob({
      id: 'recipe-a-job',
      listKind: selector?.kind ?? '',
      type: selector?.type ?? '',
      extendParam: { ...selector?.matchExtendParam },
      tasks: [{ target: 'c1' }],
      timeline: [{ at: '0s', status: 'Succeeded' }],
    });
    await h.waitFor(name, (o) => {
      expect(o.status?.selectedJobIDs).to.deep.equal(['recipe-a-job']);
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
    expect(await health()).to.deep.equal({
      status: 'Healthy',
      message: 'JobsSucceeded: all 1 jobs succeeded',
    });
  });
});
