import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** hack/control-plane holds the wrapper Go modules; their go.mod files pin the versions. */
export const HACK_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'hack',
  'control-plane',
);

export interface ControlPlaneVersions {
  /** Kubernetes release of kube-apiserver, e.g. v1.35.4. */
  kubernetes: string;
  /** etcd release, e.g. v3.6.5. */
  etcd: string;
}

function requiredVersion(goModPath: string, module: string): string {
  const text = readFileSync(goModPath, 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^require\\s+${escaped}\\s+(v\\S+)`, 'm').exec(text);
  if (!match?.[1]) {
    throw new Error(`${goModPath} does not require ${module}`);
  }
  return match[1];
}

/** The pinned versions, read from the wrapper modules so that go.mod stays the one source. */
export function pinnedVersions(hackDir = HACK_DIR): ControlPlaneVersions {
  return {
    kubernetes: requiredVersion(join(hackDir, 'kube-apiserver', 'go.mod'), 'k8s.io/kubernetes'),
    etcd: requiredVersion(join(hackDir, 'etcd', 'go.mod'), 'go.etcd.io/etcd/server/v3'),
  };
}
