import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goEnv, isExecutable, policyjobwatchCacheDir, runGo } from './go-build.js';
import { HACK_DIR, pinnedVersions, type ControlPlaneVersions } from './versions.js';

const execFileAsync = promisify(execFile);

export interface BinaryPaths {
  kubeApiserver: string;
  etcd: string;
  /** kubectl of the same release, so tests never hit client/server version skew. */
  kubectl: string;
}

export type ProgressLog = (line: string) => void;

/** Where built binaries are kept, one folder per Kubernetes release, outside the repository. */
export function binaryCacheDir(
  versions: ControlPlaneVersions,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(
    policyjobwatchCacheDir(env),
    'control-plane',
    `${versions.kubernetes}-etcd-${versions.etcd}`,
  );
}

/**
 * Where each binary would come from, in envtest's order: TEST_ASSET_KUBE_APISERVER /
 * TEST_ASSET_ETCD, then $KUBEBUILDER_ASSETS, then this project's build cache.
 */
export function candidatePaths(
  versions: ControlPlaneVersions,
  env: NodeJS.ProcessEnv = process.env,
): BinaryPaths {
  const cache = binaryCacheDir(versions, env);
  const assets = env.KUBEBUILDER_ASSETS;
  return {
    kubeApiserver:
      env.TEST_ASSET_KUBE_APISERVER ??
      (assets ? join(assets, 'kube-apiserver') : join(cache, 'kube-apiserver')),
    etcd: env.TEST_ASSET_ETCD ?? (assets ? join(assets, 'etcd') : join(cache, 'etcd')),
    kubectl: env.TEST_ASSET_KUBECTL ?? (assets ? join(assets, 'kubectl') : join(cache, 'kubectl')),
  };
}

interface GoTarget {
  name: keyof BinaryPaths;
  binary: string;
  moduleDir: string;
  pkg: string;
  ldflags: (versions: ControlPlaneVersions, buildDate: string) => string;
}

const TARGETS: readonly GoTarget[] = [
  {
    name: 'etcd',
    binary: 'etcd',
    moduleDir: 'etcd',
    pkg: 'go.etcd.io/etcd/server/v3',
    ldflags: () => '-s -w',
  },
  {
    name: 'kubeApiserver',
    binary: 'kube-apiserver',
    moduleDir: 'kube-apiserver',
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    ldflags: kubernetesLdflags,
  },
  {
    name: 'kubectl',
    binary: 'kubectl',
    moduleDir: 'kube-apiserver',
    pkg: 'k8s.io/kubernetes/cmd/kubectl',
    ldflags: kubernetesLdflags,
  },
];

/** Stamps the release into the binary, as Kubernetes' own build does, so `version` tells the truth. */
function kubernetesLdflags({ kubernetes }: ControlPlaneVersions, buildDate: string): string {
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  const vars: Record<string, string> = {
    gitVersion: kubernetes,
    gitMajor: major ?? '',
    gitMinor: minor ?? '',
    gitTreeState: 'clean',
    buildDate,
  };
  const flags = Object.entries(vars).flatMap(([key, value]) => [
    `-X k8s.io/component-base/version.${key}=${value}`,
    `-X k8s.io/client-go/pkg/version.${key}=${value}`,
  ]);
  return ['-s -w', ...flags].join(' ');
}

async function releaseDate(moduleDir: string, module: string): Promise<string> {
  const { stdout } = await execFileAsync('go', ['list', '-m', '-json', module], {
    cwd: moduleDir,
    env: goEnv(),
  });
  const info = JSON.parse(stdout) as { Time?: string };
  return info.Time ?? new Date(0).toISOString();
}

/** Builds one binary from its wrapper module into `dest` (atomically: build, then rename). */
async function buildTarget(
  target: GoTarget,
  versions: ControlPlaneVersions,
  dest: string,
  log: ProgressLog,
): Promise<void> {
  const moduleDir = join(HACK_DIR, target.moduleDir);
  const module = target.name === 'etcd' ? 'go.etcd.io/etcd/server/v3' : 'k8s.io/kubernetes';
  const buildDate = await releaseDate(moduleDir, module);
  const tmp = `${dest}.tmp-${String(process.pid)}`;
  const started = Date.now();
  const version = target.name === 'etcd' ? versions.etcd : versions.kubernetes;
  log(`building ${target.binary} ${version} from the Go module proxy (first time only)...`);
  const ticker = setInterval(() => {
    log(`  still building ${target.binary} (${elapsed(started)})`);
  }, 30_000);
  try {
    await runGo(
      [
        'build',
        '-trimpath',
        '-o',
        tmp,
        '-ldflags',
        target.ldflags(versions, buildDate),
        target.pkg,
      ],
      moduleDir,
    );
    await rename(tmp, dest);
  } finally {
    clearInterval(ticker);
    await rm(tmp, { force: true });
  }
  log(`built ${target.binary} in ${elapsed(started)}`);
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(0)}s`;
}

/**
 * Returns the binaries, building the missing ones into the cache. Binaries named by
 * TEST_ASSET_* or KUBEBUILDER_ASSETS must exist: they are never built.
 */
export async function ensureBinaries(
  options: { env?: NodeJS.ProcessEnv; log?: ProgressLog; versions?: ControlPlaneVersions } = {},
): Promise<BinaryPaths> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const versions = options.versions ?? pinnedVersions();
  const paths = candidatePaths(versions, env);
  const cache = binaryCacheDir(versions, env);
  for (const target of TARGETS) {
    const path = paths[target.name];
    if (await isExecutable(path)) continue;
    if (!path.startsWith(cache)) {
      throw new Error(`${target.binary} not found or not executable at ${path}`);
    }
    await mkdir(cache, { recursive: true });
    await buildTarget(target, versions, path, log);
  }
  return paths;
}
