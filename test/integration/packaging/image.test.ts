/**
 * The container image, without a container engine: rebuilds the file set of the Dockerfile's
 * final stage (npm run build, npm pack, npm ci --omit=dev --ignore-scripts, then only
 * package.json, node_modules, dist and crds) in a temporary directory outside the repository,
 * so that nothing can be resolved from the repository's own node_modules, and runs it as the
 * image's entrypoint would: `node dist/cli/main.js run`, against the shared control plane.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../../../src/api/index.js';
import { freePort } from '../../../src/control-plane/free-port.js';
import { SEED_JOB_ID, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { adminKubeConfig, controlPlane } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import { eventually } from '../../../harness/eventually.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NS = 'packaging-image';
const TOKEN = 'packaging-token-5d2a';
/** What the Dockerfile's final stage copies from the packed tree; the rest is removed. */
const IMAGE_ENTRIES = ['package.json', 'node_modules', 'dist', 'crds'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

function expectOk(what: string, result: Run): void {
  expect(result.code, `${what} failed:\n${result.stderr}\n${result.stdout}`).to.equal(0);
}

/** An environment with nothing that could make the child find code outside its own tree. */
function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(NODE_OPTIONS|NODE_PATH|KUBECONFIG|POLICYJOBWATCH_.*|npm_.*)$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function httpStatus(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.text();
  return response.status;
}

describe('the image file set (Dockerfile final stage), built with npm pack and run', function () {
  this.timeout(180_000);
  let dir: string;
  let app: string;
  let pkg: { dependencies: Record<string, string> };

  before(async function () {
    this.timeout(240_000);
    pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as typeof pkg;
    dir = await mkdtemp(join(tmpdir(), 'policyjobwatch-image-'));
    app = join(dir, 'app');
    await mkdir(app);

    const build = await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
    expectOk('npm run build', build);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: REPO_ROOT,
    });
    expectOk('npm pack', pack);
    const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
    expect(packed?.filename).to.be.a('string');
    expectOk(
      'tar',
      await run(
        'tar',
        ['-xzf', join(dir, packed?.filename ?? ''), '-C', app, '--strip-components=1'],
        {
          cwd: dir,
        },
      ),
    );
    // npm pack never includes the lockfile: the Dockerfile copies it from the build context.
    await copyFile(join(REPO_ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    const ci = await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: app, env: isolatedEnv() },
    );
    expectOk('npm ci --omit=dev', ci);
    process.stdout.write(
      `      (npm run build ${String(build.ms)} ms, npm pack ${String(pack.ms)} ms, npm ci --omit=dev ${String(ci.ms)} ms)\n`,
    );
    for (const entry of ['package-lock.json', 'README.md', 'CHANGELOG.md', 'hack'])
      await rm(join(app, entry), { recursive: true, force: true });
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reproduces the Dockerfile: its final stage copies these entries and runs as 65532', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m);
    const final = stages[stages.length - 1] ?? '';
    const copied = [...final.matchAll(/^COPY --from=\S+ \/app\/(\S+) \.\/(\S+)$/gm)].map((m) => {
      expect(m[1], 'copied to the same path').to.equal(m[2]);
      return m[1];
    });
    expect(copied.sort()).to.deep.equal([...IMAGE_ENTRIES].sort());
    expect(final).to.match(/^USER 65532:65532$/m);
    expect(final).to.match(/^ENTRYPOINT \["\/nodejs\/bin\/node", "dist\/cli\/main\.js"\]$/m);
    expect(final).to.match(/^CMD \["run"\]$/m);
    expect(dockerfile).to.include('npm ci --omit=dev --ignore-scripts');
    // The build context (.dockerignore is an allow-list) has what the build stage copies.
    const allowed = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    const fromContext = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(' '),
    );
    expect(fromContext.length).to.be.greaterThan(0);
    for (const path of fromContext)
      expect(allowed, `.dockerignore lets ${path} in`).to.include(path);
  });

  it('holds what the image copies: the entrypoint, the CRD, package.json (for --version)', async () => {
    for (const entry of [...IMAGE_ENTRIES, 'dist/cli/main.js', 'crds/kustomization.yaml'])
      expect(await exists(join(app, entry)), entry).to.equal(true);
    expect(await exists(join(app, 'crds/ucs.policyjobwatch.io_policyjobwatches.yaml'))).to.equal(
      true,
    );
    // No TypeScript sources or tests ship, and none of the development tools.
    expect(await exists(join(app, 'src'))).to.equal(false);
    expect(await exists(join(app, 'test'))).to.equal(false);
    for (const dev of ['dist/dev-cli', 'dist/demo', 'dist/ucs-sim', 'dist/control-plane', 'hack'])
      expect(await exists(join(app, dev)), `${dev} is development tooling`).to.equal(false);
  });

  it('installs every production dependency and no development-only package', async () => {
    for (const name of Object.keys(pkg.dependencies))
      expect(await exists(join(app, 'node_modules', name)), `dependency ${name}`).to.equal(true);
    // The lockfile marks what only development dependencies pull in (dev: true); a package that
    // is also a production dependency's dependency (@types/node, of client-node) is not marked.
    const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev === true && path.startsWith('node_modules/'))
      .map(([path]) => path);
    expect(devOnly).to.include.members(
      ['typescript', 'mocha', 'eslint', 'node', 'tsx', 'prettier'].map((n) => `node_modules/${n}`),
    );
    const installed: string[] = [];
    for (const path of devOnly) if (await exists(join(app, path))) installed.push(path);
    expect(installed, 'development-only packages in the image').to.deep.equal([]);
    // The `node` devDependency would put a second Node on PATH through .bin.
    expect(await exists(join(app, 'node_modules', '.bin', 'node'))).to.equal(false);
  });

  it('node dist/cli/main.js --help and --version work from that tree alone', async () => {
    const help = await run(process.execPath, ['dist/cli/main.js', '--help'], {
      cwd: app,
      env: isolatedEnv(),
    });
    expectOk('--help', help);
    expect(help.stdout).to.match(/Usage: policyjobwatch/);
    expect(help.stdout).to.match(/\n\s+run\b/);
    // The development commands are not part of the production CLI.
    for (const dev of ['demo', 'ucs-sim', 'control-plane'])
      expect(help.stdout).not.to.match(new RegExp(`\\n\\s+${dev}\\b`));
    const version = await run(process.execPath, ['dist/cli/main.js', '--version'], {
      cwd: app,
      env: isolatedEnv(),
    });
    expectOk('--version', version);
    expect(version.stdout.trim()).to.equal(
      (JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { version: string })
        .version,
    );
  });

  describe('node dist/cli/main.js run, against the shared control plane', () => {
    let sim: UcsSimulator;
    let child: ChildProcess | undefined;
    let output = '';
    let healthPort: number;
    let metricsPort: number;

    before(async () => {
      const kc = adminKubeConfig();
      await installCrd(kc);
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined);
      await core.createNamespacedSecret({
        namespace: NS,
        body: {
          metadata: { name: 'ucs-credentials', namespace: NS },
          stringData: { token: TOKEN },
        },
      });
      sim = await UcsSimulator.start({ token: TOKEN });
      healthPort = await freePort();
      metricsPort = await freePort();
    });

    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await sim.stop();
    });

    it('serves /healthz, turns /readyz to 200, reconciles, and exits 0 within 10 s of SIGTERM', async () => {
      const started = spawn(
        process.execPath,
        [
          'dist/cli/main.js',
          'run',
          `--kubeconfig=${controlPlane().kubeconfigPath}`,
          `--namespace=${NS}`,
          `--credentials-secret=${NS}/ucs-credentials`,
          `--ucs-endpoint=${sim.url}`,
          `--health-probe-bind-address=127.0.0.1:${String(healthPort)}`,
          `--metrics-bind-address=127.0.0.1:${String(metricsPort)}`,
          '--poll-interval=5s',
        ],
        { cwd: app, env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      started.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      started.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const health = `http://127.0.0.1:${String(healthPort)}`;
      const alive = (): void => {
        if (started.exitCode !== null) throw new Error(`exited ${String(started.exitCode)}`);
      };
      try {
        await eventually(
          async () => {
            alive();
            expect(await httpStatus(`${health}/healthz`)).to.equal(200);
          },
          { timeoutMs: 20_000, fatal: () => started.exitCode !== null },
        );
        await eventually(
          async () => {
            alive();
            expect(await httpStatus(`${health}/readyz`)).to.equal(200);
          },
          { timeoutMs: 20_000, fatal: () => started.exitCode !== null },
        );
        expect(await httpStatus(`http://127.0.0.1:${String(metricsPort)}/metrics`)).to.equal(200);

        // A whole reconcile: the packaged tree talks to the apiserver and to UCS.
        const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);
        await objects.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: NS,
          plural: PLURAL,
          body: {
            apiVersion: API_VERSION,
            kind: KIND,
            metadata: { name: 'seed', namespace: NS },
            spec: { jobIDs: [SEED_JOB_ID] },
          },
        });
        await eventually(
          async () => {
            alive();
            const obj = (await objects.getNamespacedCustomObject({
              group: GROUP,
              version: VERSION,
              namespace: NS,
              plural: PLURAL,
              name: 'seed',
            })) as { status?: { phase?: string } };
            expect(obj.status?.phase).to.equal('Succeeded');
          },
          { timeoutMs: 20_000 },
        );
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\noutput:\n${output}`, {
          cause: err,
        });
      }

      const signalled = Date.now();
      const exited = once(started, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      started.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => {
          resolve('timeout');
        }, 10_000).unref(),
      );
      const result = await Promise.race([exited, timeout]);
      expect(result, `no exit within 10 s of SIGTERM; output:\n${output}`).to.not.equal('timeout');
      const [code, signal] = result as [number | null, NodeJS.Signals | null];
      expect({ code, signal }, output).to.deep.equal({ code: 0, signal: null });
      expect(Date.now() - signalled).to.be.below(10_000);
      expect(output).to.match(/"shutting down"/);
    });
  });
});
