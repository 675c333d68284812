import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  goEnv,
  isExecutable,
  policyjobwatchCacheDir,
  runGo,
} from '../../src/control-plane/go-build.js';

const execFileAsync = promisify(execFile);
const HACK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hack');

/**
 * The real engines of the GitOps tools, as small Go programs in hack/: Argo CD's Lua runtime
 * (gopher-lua) running health.lua, Flux's kstatus, and the helm command (a wrapper module that
 * pins helm.sh/helm/v4). Test-only.
 */
export type GoTool = 'argocd-health' | 'kstatus' | 'helm';

/** The package to build, when it is not the module's own main package. */
const PACKAGES: Partial<Record<GoTool, string>> = { helm: 'helm.sh/helm/v4/cmd/helm' };

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function log(line: string): void {
  process.stdout.write(`  [go tools] ${line}\n`);
}

/** Beside the control plane binaries: ~/.cache/policyjobwatch/go-tools/<tool>-<hash>/<tool>. */
function cacheBase(env: NodeJS.ProcessEnv = process.env): string {
  return join(policyjobwatchCacheDir(env), 'go-tools');
}

/** Changes to the module's sources or to the Go release give a new binary. */
async function sourceHash(moduleDir: string): Promise<string> {
  const files = (await readdir(moduleDir))
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(moduleDir, file)));
  }
  const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { env: goEnv() });
  hash.update(stdout.trim());
  return hash.digest('hex').slice(0, 16);
}

async function build(tool: GoTool): Promise<string> {
  const moduleDir = join(HACK_DIR, tool);
  const dir = join(cacheBase(), `${tool}-${await sourceHash(moduleDir)}`);
  const binary = join(dir, tool);
  if (await isExecutable(binary)) return binary;
  await mkdir(dir, { recursive: true });
  // Build beside the target, then rename: a concurrent run never sees half a binary.
  const tmp = `${binary}.tmp-${String(process.pid)}`;
  const started = Date.now();
  log(`building hack/${tool} into ${dir} (once per change of its sources)...`);
  try {
    await runGo(['build', '-trimpath', '-o', tmp, PACKAGES[tool] ?? '.'], moduleDir);
    await rename(tmp, binary);
  } finally {
    await rm(tmp, { force: true });
  }
  log(`built hack/${tool} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return binary;
}

const builds = new Map<GoTool, Promise<string>>();

/** The path of the tool's binary, built into the cache on first use (once per process). */
export function goTool(tool: GoTool): Promise<string> {
  let pending = builds.get(tool);
  if (pending === undefined) {
    pending = build(tool);
    pending.catch(() => builds.delete(tool));
    builds.set(tool, pending);
  }
  return pending;
}

/** Runs a tool; a non-zero exit is a result, not an error. */
export async function runGoTool(tool: GoTool, args: string[], input?: string): Promise<ToolResult> {
  const binary = await goTool(tool);
  return new Promise((resolve) => {
    const child = execFile(binary, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/** An Argo CD health status, as health.lua returns it. */
export interface ArgoHealth {
  status: string;
  message?: string;
}

/** A kstatus result: Current, InProgress, Failed, Terminating, NotFound or Unknown. */
export interface KstatusResult {
  status: string;
  message: string;
}

async function runJson<T>(tool: GoTool, args: string[], obj: unknown): Promise<T> {
  const result = await runGoTool(tool, args, JSON.stringify(obj));
  if (result.code !== 0) {
    throw new Error(`${tool} ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** What Argo CD shows for `obj` with this health.lua (argocd-cm's restricted libraries). */
export function argocdHealth(healthLua: string, obj: unknown): Promise<ArgoHealth> {
  return runJson<ArgoHealth>('argocd-health', ['eval', healthLua], obj);
}

/** What Flux's kstatus computes for `obj`. */
export function kstatus(obj: unknown): Promise<KstatusResult> {
  return runJson<KstatusResult>('kstatus', [], obj);
}
