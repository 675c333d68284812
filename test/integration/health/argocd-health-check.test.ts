import { expect } from 'chai';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  ARGOCD_CM_PATCH,
  ARGOCD_DIR,
  HEALTH_CHECK_DIR,
  HEALTH_KEY,
  HEALTH_LUA,
  renderArgocdCmPatch,
} from '../../../scripts/argocd-cm-patch.js';
import { kubectl } from '../../support/control-plane.js';
import { goTool, runGoTool } from '../../support/go-tools.js';

/** Cases in health_test.yaml: a run that silently finds fewer must fail. */
const EXPECTED_CASES = 11;

describe("the Argo CD health check, run by Argo CD's Lua engine", function () {
  let scratch: string;

  before(async function () {
    // The first run on a machine builds the runner (seconds; minutes with a cold module cache).
    this.timeout(10 * 60_000);
    await goTool('argocd-health');
    scratch = await mkdtemp(join(tmpdir(), 'pjw-argocd-health-'));
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** A copy of the health check folder, changed by `edit`, for the runner to fail on. */
  async function editedCopy(name: string, edit: (files: Record<string, string>) => void) {
    const dir = join(scratch, name);
    await cp(HEALTH_CHECK_DIR, dir, { recursive: true });
    const files: Record<string, string> = {
      'health.lua': await readFile(join(dir, 'health.lua'), 'utf8'),
      'health_test.yaml': await readFile(join(dir, 'health_test.yaml'), 'utf8'),
    };
    edit(files);
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    return dir;
  }

  it(`passes all ${EXPECTED_CASES} cases of health_test.yaml, with every library and with argocd-cm's`, async () => {
    const tests = parse(await readFile(join(HEALTH_CHECK_DIR, 'health_test.yaml'), 'utf8')) as {
      tests: { inputPath: string; healthStatus: { status: string; message: string } }[];
    };
    expect(tests.tests).to.have.length(EXPECTED_CASES);
    const result = await runGoTool('argocd-health', ['test', HEALTH_CHECK_DIR]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).to.equal(`${EXPECTED_CASES} passed, 0 failed`);
    // One PASS line per case, in file order, with the expected status and message.
    expect(lines.slice(0, -1)).to.deep.equal(
      tests.tests.map(
        (t) =>
          `PASS ${t.inputPath} ${t.healthStatus.status} ${JSON.stringify(t.healthStatus.message)}`,
      ),
    );
    const statuses = new Set(tests.tests.map((t) => t.healthStatus.status));
    expect([...statuses].sort()).to.deep.equal(['Degraded', 'Healthy', 'Progressing', 'Suspended']);
  });

  it('fails a case whose expectation is wrong', async () => {
    const dir = await editedCopy('wrong-expectation', (files) => {
      const text = files['health_test.yaml']!;
      expect(text).to.include('status: Healthy');
      files['health_test.yaml'] = text.replace('status: Healthy', 'status: Degraded');
    });
    const result = await runGoTool('argocd-health', ['test', dir]);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.include(
      'FAIL testdata/healthy.yaml: expected Degraded "JobsSucceeded: all 1 jobs succeeded", got Healthy',
    );
    expect(result.stdout).to.include(`${EXPECTED_CASES - 1} passed, 1 failed`);
  });

  it("fails a script that needs a library argocd-cm's scripts do not get (string)", async () => {
    const dir = await editedCopy('string-library', (files) => {
      files['health.lua'] = `local width = string.len("x")\n${files['health.lua']!}`;
    });
    const result = await runGoTool('argocd-health', ['test', dir]);
    expect(result.code).to.equal(1);
    // With every library (as Argo CD's built-in checks run) it works; from argocd-cm it does not.
    expect(result.stdout).to.match(/FAIL testdata\/healthy\.yaml: with argocd-cm's libraries/);
    expect(result.stdout).to.include(`0 passed, ${EXPECTED_CASES} failed`);
  });

  it('fails a test file without cases', async () => {
    const dir = await editedCopy('no-cases', (files) => {
      files['health_test.yaml'] = 'tests: []\n';
    });
    const result = await runGoTool('argocd-health', ['test', dir]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('health_test.yaml has no tests');
  });

  it('ships argocd-cm-patch.yaml generated from health.lua (one source of truth)', async () => {
    const script = await readFile(HEALTH_LUA, 'utf8');
    const patch = await readFile(ARGOCD_CM_PATCH, 'utf8');
    expect(patch, 'stale: run npx tsx scripts/generate-argocd-cm-patch.ts').to.equal(
      renderArgocdCmPatch(script),
    );
    const parsed = parse(patch) as { data: Record<string, string> };
    expect(parsed.data[HEALTH_KEY]).to.equal(script);
  });

  it('installs the script into argocd-cm with kustomize, keeping the other keys', async () => {
    await writeFile(
      join(scratch, 'argocd-cm.yaml'),
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: argocd-cm',
        '  namespace: argocd',
        'data:',
        '  url: https://argocd.example.com',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(scratch, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        '  - argocd-cm.yaml',
        'components:',
        `  - ${relative(scratch, ARGOCD_DIR)}`,
        '',
      ].join('\n'),
    );
    const built = await kubectl(['kustomize', scratch]);
    expect(built.code, built.stderr).to.equal(0);
    const docs = parseAllDocuments(built.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; data: Record<string, string> },
    );
    expect(docs).to.have.length(1);
    const cm = docs[0]!;
    expect(cm.metadata.name).to.equal('argocd-cm');
    expect(cm.data.url).to.equal('https://argocd.example.com');
    expect(cm.data[HEALTH_KEY]).to.equal(await readFile(HEALTH_LUA, 'utf8'));
  });
});
