import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  buildGoBinary,
  goEnv,
  goSourceHash,
  goVersion,
  policyjobwatchCacheDir,
} from '../../src/control-plane/go-build.js';

const HACK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hack');

/**
 * The real tools, built from their Go modules through wrapper modules in hack/ (test-only):
 * the engines of the GitOps tools, as small Go programs (Argo CD's Lua runtime gopher-lua
 * running health.lua, and Flux's kstatus); the helm command (pinning helm.sh/helm/v4);
 * Prometheus's promtool, and promql-metrics (the metric
 * names of PromQL expressions, by Prometheus's own parser); controller-gen, which generates the
 * Prometheus Operator's CRDs from its API types.
 */
export type GoTool =
  'argocd-health' | 'kstatus' | 'helm' | 'promtool' | 'promql-metrics' | 'controller-gen';

/** The wrapper module in hack/ of each tool, and the package `go build` builds there. */
const TOOLS: Record<GoTool, { module: string; pkg: string }> = {
  'argocd-health': { module: 'argocd-health', pkg: '.' },
  kstatus: { module: 'kstatus', pkg: '.' },
  helm: { module: 'helm', pkg: 'helm.sh/helm/v4/cmd/helm' },
  promtool: { module: 'promtool', pkg: 'github.com/prometheus/prometheus/cmd/promtool' },
  'promql-metrics': { module: 'promtool', pkg: './promql-metrics' },
  'controller-gen': {
    module: 'controller-gen',
    pkg: 'sigs.k8s.io/controller-tools/cmd/controller-gen',
  },
};

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

/** hack/<module>, the wrapper module of a tool. */
export function goToolModule(tool: GoTool): string {
  return join(HACK_DIR, TOOLS[tool].module);
}

/** The tool's own directory in the cache; a change of its module's sources gives a new one. */
export async function goToolCacheDir(tool: GoTool): Promise<string> {
  const hash = await goSourceHash(goToolModule(tool), await goVersion());
  return join(cacheBase(), `${tool}-${hash}`);
}

async function build(tool: GoTool): Promise<string> {
  return buildGoBinary({
    moduleDir: goToolModule(tool),
    pkg: TOOLS[tool].pkg,
    dir: await goToolCacheDir(tool),
    name: tool,
    log,
  });
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

export interface RunOptions {
  /** Default: this process's. */
  cwd?: string;
  /** Default: 30s. */
  timeoutMs?: number;
}

/** Runs a tool (with go on PATH, GOTOOLCHAIN=local); a non-zero exit is a result, not an error. */
export async function runGoTool(
  tool: GoTool,
  args: string[],
  input?: string,
  options: RunOptions = {},
): Promise<ToolResult> {
  const binary = await goTool(tool);
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      args,
      { cwd: options.cwd, env: goEnv(), timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
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

export async function runJson<T>(tool: GoTool, args: string[], obj: unknown): Promise<T> {
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
