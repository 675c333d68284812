/**
 * The container image, without a container engine: rebuilds the file set of the Dockerfile's
 * final stage (npm run build, npm pack, then only package.json, the bundle
 * dist/policyjobwatch.mjs with its source map, and crds; no node_modules) in a temporary
 * directory outside the repository, so that nothing can be resolved from the repository's own
 * node_modules, and runs it as the image's entrypoint would: `node dist/policyjobwatch.mjs run`,
 * against the shared control plane. Like the Dockerfile's compile-cache stage, it first runs
 * `--version` with NODE_COMPILE_CACHE in a temporary folder and puts that cache, read-only, in
 * the tree's compile-cache folder, which the operator then runs with.
 */
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { builtinModules } from 'node:module';
import { access, chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../../../src/api/index.js';
import { DEFAULT_HEAP_FLAGS, DEFAULT_MALLOC_ARENA_MAX } from '../../../src/cli/heap-flags.js';
import { freePort } from '../../../src/control-plane/free-port.js';
import { SEED_JOB_ID, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { adminKubeConfig, controlPlane } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import { eventually } from '../../../harness/eventually.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NS = 'packaging-image';
const TOKEN = 'packaging-token-5d2a';
const BUNDLE = 'dist/policyjobwatch.mjs';
/** What the Dockerfile's final stage copies from the packed tree; nothing else is in the image. */
const IMAGE_ENTRIES = ['package.json', BUNDLE, `${BUNDLE}.map`, `${BUNDLE}.LEGAL.txt`, 'crds'];
/** Where the final stage puts the compile cache (ENV NODE_COMPILE_CACHE). */
const COMPILE_CACHE = 'compile-cache';
/**
 * Optional packages the bundled code loads in a try block and works without: ws's native
 * add-ons, and kerberos for Negotiate proxy authentication (which names it in its error).
 */
const OPTIONAL_REQUIRES = ['bufferutil', 'utf-8-validate', 'kerberos'];

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

/**
 * Under c8 (NODE_V8_COVERAGE set), the children's own coverage folder: Node passes
 * NODE_V8_COVERAGE on to children even when their environment leaves it out, so they get a
 * writable folder of the test's instead of writing next to their tree.
 */
let childCoverageDir: string | undefined;

/** An environment with nothing that could make the child find code outside its own tree. */
function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(NODE_OPTIONS|NODE_PATH|NODE_COMPILE_CACHE|MALLOC_ARENA_MAX|KUBECONFIG|POLICYJOBWATCH_.*|npm_.*)$/i.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  if (process.env.NODE_V8_COVERAGE !== undefined && childCoverageDir !== undefined)
    env.NODE_V8_COVERAGE = childCoverageDir;
  return { ...env, ...extra };
}

/** Every file under `root` (relative path) with its size, mode and modification time. */
async function listTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true })) {
    const s = await stat(join(root, entry));
    files.set(entry, `${String(s.size)} ${(s.mode & 0o777).toString(8)} ${String(s.mtimeMs)}`);
  }
  return files;
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

  before(async function () {
    this.timeout(240_000);
    dir = await mkdtemp(join(tmpdir(), 'policyjobwatch-image-'));
    app = join(dir, 'app');
    const packed = join(dir, 'packed');
    await mkdir(app);
    await mkdir(packed);
    if (process.env.NODE_V8_COVERAGE !== undefined) {
      childCoverageDir = join(dir, 'v8-coverage');
      await mkdir(childCoverageDir);
    }

    const build = await run('npm', ['run', 'build'], { cwd: REPO_ROOT });
    expectOk('npm run build', build);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: REPO_ROOT,
    });
    expectOk('npm pack', pack);
    const [tarball] = JSON.parse(pack.stdout) as { filename: string }[];
    expect(tarball?.filename).to.be.a('string');
    expectOk(
      'tar',
      await run(
        'tar',
        ['-xzf', join(dir, tarball?.filename ?? ''), '-C', packed, '--strip-components=1'],
        { cwd: dir },
      ),
    );
    // The final stage copies these entries of the published files, and nothing else.
    for (const entry of IMAGE_ENTRIES) {
      await mkdir(dirname(join(app, entry)), { recursive: true });
      await cp(join(packed, entry), join(app, entry), { recursive: true });
    }
    // The compile-cache stage: --version from the tree with NODE_COMPILE_CACHE in a temporary
    // folder; the final stage copies that folder with --chmod=0555 (directories and files).
    const made = join(dir, 'compile-cache-made');
    expectOk(
      '--version with NODE_COMPILE_CACHE',
      await run(process.execPath, [BUNDLE, '--version'], {
        cwd: app,
        env: isolatedEnv({ NODE_COMPILE_CACHE: made }),
      }),
    );
    await cp(made, join(app, COMPILE_CACHE), { recursive: true });
    for (const entry of await readdir(join(app, COMPILE_CACHE), { recursive: true }))
      await chmod(join(app, COMPILE_CACHE, entry), 0o555);
    await chmod(join(app, COMPILE_CACHE), 0o555);
    process.stdout.write(
      `      (npm run build ${String(build.ms)} ms, npm pack ${String(pack.ms)} ms)\n`,
    );
  });

  after(async () => {
    if (!dir) return;
    // Writable again, so that it can be removed without root.
    await chmod(join(app, COMPILE_CACHE), 0o755).catch(() => undefined);
    for (const entry of await readdir(join(app, COMPILE_CACHE), { recursive: true }).catch(
      () => [],
    ))
      await chmod(join(app, COMPILE_CACHE, entry), 0o755);
    await rm(dir, { recursive: true, force: true });
  });

  it('reproduces the Dockerfile: its final stage copies these entries and runs as 65532', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m);
    const final = stages[stages.length - 1] ?? '';
    const copiedBy = (stage: string): string[] =>
      [...stage.matchAll(/^COPY --from=build \/app\/(\S+) \.\/(\S+)$/gm)].map((m) => {
        expect(m[1], 'copied to the same path').to.equal(m[2]);
        return m[1] ?? '';
      });
    expect(copiedBy(final).sort()).to.deep.equal([...IMAGE_ENTRIES].sort());
    expect(final).to.match(/^USER 65532:65532$/m);
    // The compile cache: made from the same files at the same paths by the same user with
    // --version (as before() does), copied read-only.
    const cacheStage = stages.find((stage) => /^\S+ AS compile-cache\n/.test(stage)) ?? '';
    expect(cacheStage, 'a compile-cache stage').to.match(/^\$\{RUNTIME_IMAGE\} AS compile-cache$/m);
    expect(cacheStage).to.match(/^WORKDIR \/app$/m);
    expect(copiedBy(cacheStage).sort()).to.deep.equal([...IMAGE_ENTRIES].sort());
    expect(cacheStage).to.match(/^USER 65532:65532$/m);
    expect(cacheStage).to.match(/^ENV NODE_COMPILE_CACHE=\/tmp\/compile-cache$/m);
    expect(cacheStage).to.match(
      /^RUN \["\/nodejs\/bin\/node", "dist\/policyjobwatch\.mjs", "--version"\]$/m,
    );
    expect(final).to.match(
      /^COPY --from=compile-cache --chmod=0555 \/tmp\/compile-cache \/app\/compile-cache$/m,
    );
    expect(final).to.match(new RegExp(`^ENV NODE_COMPILE_CACHE=/app/${COMPILE_CACHE}$`, 'm'));
    expect(final).to.match(/^ENTRYPOINT \["\/nodejs\/bin\/node", "dist\/policyjobwatch\.mjs"\]$/m);
    expect(final).to.match(/^CMD \["run"\]$/m);
    expect(final).not.to.include('node_modules');
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

  it('holds what the image copies: the bundle, its source map, the CRD, package.json (for --version)', async () => {
    for (const entry of [...IMAGE_ENTRIES, 'crds/kustomization.yaml'])
      expect(await exists(join(app, entry)), entry).to.equal(true);
    expect(await exists(join(app, 'crds/ucs.policyjobwatch.io_policyjobwatches.yaml'))).to.equal(
      true,
    );
    expect((await readdir(join(app, 'dist'))).sort()).to.deep.equal(
      ['policyjobwatch.mjs', 'policyjobwatch.mjs.map', 'policyjobwatch.mjs.LEGAL.txt'].sort(),
    );
    // No TypeScript sources, tests, development tools or dependencies ship.
    for (const absent of ['src', 'test', 'hack', 'node_modules'])
      expect(await exists(join(app, absent)), absent).to.equal(false);
  });

  it('holds the compile cache of the bundle that --version made, read-only', async () => {
    const files = [...(await listTree(join(app, COMPILE_CACHE))).entries()];
    expect(files.length, 'files in the compile cache').to.be.greaterThan(0);
    let bytes = 0;
    for (const [path, info] of files) {
      const [size, mode] = info.split(' ');
      expect(mode, path).to.equal('555');
      bytes += Number(size);
    }
    // V8's code cache of the whole 4.5 MiB bundle is about 1.6 MB; a few KiB would be a stub.
    expect(bytes).to.be.greaterThan(512 * 1024);
  });

  it('the bundle loads nothing from node_modules: every import and require is a Node built-in', async () => {
    const text = await readFile(join(app, BUNDLE), 'utf8');
    const specifiers = new Set(
      [
        ...text.matchAll(/\b(?:__require|require)\("([^"]+)"\)/g),
        ...text.matchAll(
          /(?:^|[;\n}])import\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s*[\w$]+)?\s*from\s*"([^"]+)"/g,
        ),
        ...text.matchAll(/\bimport\("([^"]+)"\)/g),
      ].map((m) => m[1] ?? ''),
    );
    expect(specifiers.size).to.be.greaterThan(10);
    const builtins = new Set(builtinModules);
    const outside = [...specifiers].filter(
      (s) => !s.startsWith('node:') && !builtins.has(s) && !OPTIONAL_REQUIRES.includes(s),
    );
    expect(outside).to.deep.equal([]);
    // The production CLI carries none of the development tools.
    expect(text).not.to.include('ucs-sim listening on');
  });

  it('the bundle is ASCII (V8 keeps its source one-byte), its licence comments in the LEGAL file', async () => {
    const bytes = await readFile(join(app, BUNDLE));
    const at = bytes.findIndex((b) => b > 0x7f);
    expect(at, `first non-ASCII byte at ${String(at)}`).to.equal(-1);
    expect(bytes.toString('latin1')).to.include('policyjobwatch.mjs.LEGAL.txt');
    const legal = await readFile(join(app, `${BUNDLE}.LEGAL.txt`), 'utf8');
    expect(legal).to.match(/MIT License/);
    expect(legal).to.include('formdata-polyfill');
  });

  it('node dist/policyjobwatch.mjs --help and --version work from that tree alone', async () => {
    const help = await run(process.execPath, [BUNDLE, '--help'], {
      cwd: app,
      env: isolatedEnv(),
    });
    expectOk('--help', help);
    expect(help.stdout).to.match(/Usage: policyjobwatch/);
    expect(help.stdout).to.match(/\n\s+run\b/);
    // The development commands are not part of the production CLI.
    for (const dev of ['demo', 'ucs-sim', 'control-plane'])
      expect(help.stdout).not.to.match(new RegExp(`\\n\\s+${dev}\\b`));
    const version = await run(process.execPath, [BUNDLE, '--version'], {
      cwd: app,
      env: isolatedEnv(),
    });
    expectOk('--version', version);
    expect(version.stdout.trim()).to.equal(
      (JSON.parse(await readFile(join(app, 'package.json'), 'utf8')) as { version: string })
        .version,
    );
  });

  describe('node dist/policyjobwatch.mjs run, against the shared control plane', () => {
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
      const cacheBefore = await listTree(join(app, COMPILE_CACHE));
      const started = spawn(
        process.execPath,
        [
          BUNDLE,
          'run',
          `--kubeconfig=${controlPlane().kubeconfigPath}`,
          `--namespace=${NS}`,
          `--credentials-secret=${NS}/ucs-credentials`,
          `--ucs-endpoint=${sim.url}`,
          `--health-probe-bind-address=127.0.0.1:${String(healthPort)}`,
          `--metrics-bind-address=127.0.0.1:${String(metricsPort)}`,
          '--poll-interval=5s',
        ],
        {
          cwd: app,
          // As in the image; Node's debug lines say whether it used the cache.
          env: isolatedEnv({
            NODE_COMPILE_CACHE: join(app, COMPILE_CACHE),
            NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
          }),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
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
        // Started without heap flags, it re-executed itself in place (the same pid) with the
        // Deployment's heap flags and malloc arenas.
        const proc = `/proc/${String(started.pid)}`;
        const cmdline = (await readFile(`${proc}/cmdline`, 'utf8')).split('\0');
        expect(cmdline).to.include.members(DEFAULT_HEAP_FLAGS);
        const environ = (await readFile(`${proc}/environ`, 'utf8')).split('\0');
        expect(environ).to.include(`MALLOC_ARENA_MAX=${DEFAULT_MALLOC_ARENA_MAX}`);

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
      // It read the read-only cache, V8 took it every time (in the process that re-executes
      // itself with heap flags too), and nothing was written to it.
      expect(output).to.match(/V8 code cache for ESM \S+\/dist\/policyjobwatch\.mjs was accepted/);
      expect(output).not.to.match(/V8 code cache for ESM \S+ was (?!accepted)/);
      expect(output).not.to.match(/\[compile cache\] (writing|Creating temporary file)/);
      expect(await listTree(join(app, COMPILE_CACHE))).to.deep.equal(cacheBefore);
    });
  });
});
