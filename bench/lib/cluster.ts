// The bench's cluster: a fresh LocalControlPlane with the CRD, the namespaces of the phases and
// the UCS credentials Secret (token mode: the key `token`, which both operators read).
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { LocalControlPlane } from '../../src/control-plane/index.js';
import { PooledKubeConfig } from '../../src/kube/pooled-kube-config.js';
import { installCrd } from '../../harness/crd.js';
import type { BenchCluster, Say } from './phases.js';
import type { BenchSettings } from './settings.js';

/** The simulator's fixed token (`UCS_SIM_TOKEN`) and the Secret that holds it. */
export const TOKEN = 'bench-token-0f3a9c1d';
export const SECRET_NS = 'bench-system';
export const CREDENTIALS_SECRET = `${SECRET_NS}/ucs-credentials`;

/** Starts a control plane and prepares it; the caller stops `cp`. */
export async function startBenchCluster(
  settings: BenchSettings,
  simUrl: string,
  namespaces: readonly string[],
  say: Say,
): Promise<BenchCluster> {
  const cp = await LocalControlPlane.start({ log: say });
  say(`control plane: ${cp.describe()}`);
  try {
    // The operator's own pooled client, so that the baseline pays no more per request than it.
    const kc = new PooledKubeConfig();
    kc.loadFromString(cp.kubeconfigYaml());
    const core = kc.makeApiClient(CoreV1Api);
    await installCrd(kc);
    for (const ns of [SECRET_NS, ...namespaces])
      await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedSecret({
      namespace: SECRET_NS,
      body: { metadata: { name: 'ucs-credentials' }, stringData: { token: TOKEN } },
    });
    return { settings, cp, kc, objects: kc.makeApiClient(CustomObjectsApi), simUrl, say };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}
