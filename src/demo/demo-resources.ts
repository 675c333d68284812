import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION, type Phase } from '../api/index.js';

export const DEMO_NAMESPACE = 'demo';
export const DEMO_SECRET = 'ucs-credentials';

/**
 * How the demo scenario ends for each example resource (examples/policyjobwatches/ watching
 * the jobs of examples/ucs-sim/scenario.yaml). `--exit-when-settled` exits 0 only on this.
 */
export const EXPECTED_PHASES: Readonly<Record<string, Phase>> = {
  'seed-example': 'Succeeded',
  'rollout-ok': 'Succeeded',
  'rollout-partial-failure': 'Failed',
  'rollout-timeout': 'Failed',
  // Also the pipeline act (pipeline-act.ts): it must move to the job the demo starts.
  'pipeline-newest': 'Succeeded',
};

export interface DemoResource {
  file: string;
  name: string;
  body: { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown };
}

/** Reads every *.yaml of `dir` (one PolicyJobWatch each), sorted by file name. */
export async function loadDemoResources(dir: string): Promise<DemoResource[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const doc = parse(await readFile(join(dir, file), 'utf8')) as Partial<
        DemoResource['body']
      > | null;
      const name = doc?.metadata?.name;
      if (doc?.apiVersion !== API_VERSION || doc.kind !== KIND || typeof name !== 'string') {
        throw new Error(`${join(dir, file)}: not a ${API_VERSION} ${KIND} with a metadata.name`);
      }
      return {
        file,
        name,
        body: { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: doc.spec },
      };
    }),
  );
}

/** Creates the namespace, the token Secret the operator uses by default, and the resources. */
export async function createDemoResources(
  kc: KubeConfig,
  token: string,
  resources: readonly DemoResource[],
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const namespace = DEMO_NAMESPACE;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: DEMO_SECRET, namespace }, stringData: { token } },
  });
  for (const resource of resources) {
    await objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      body: { ...resource.body, metadata: { ...resource.body.metadata, namespace } },
    });
  }
}
