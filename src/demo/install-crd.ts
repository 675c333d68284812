import { readFile } from 'node:fs/promises';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { CRD_NAME, GROUP, PLURAL, VERSION } from '../api/index.js';
import { retryUntil } from './retry-until.js';

function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The CRD in a YAML file, in client-node's model (loadYaml maps the x-kubernetes-* fields). */
export async function loadCrdFile(file: string): Promise<V1CustomResourceDefinition> {
  return loadYaml<V1CustomResourceDefinition>(await readFile(file, 'utf8'));
}

async function createOrReplace(
  ext: ApiextensionsV1Api,
  desired: V1CustomResourceDefinition,
): Promise<void> {
  let existing: V1CustomResourceDefinition | undefined;
  try {
    existing = await ext.readCustomResourceDefinition({ name: CRD_NAME });
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
  desired.metadata ??= {};
  if (existing === undefined) {
    desired.metadata.resourceVersion = undefined;
    await ext.createCustomResourceDefinition({ body: desired });
    return;
  }
  // An update that changes nothing is a no-op for the API server: no new resourceVersion.
  desired.metadata.resourceVersion = existing.metadata?.resourceVersion;
  await ext.replaceCustomResourceDefinition({ name: CRD_NAME, body: desired });
}

/**
 * Installs the PolicyJobWatch CRD from its YAML file (create, or replace when it exists, as
 * `kubectl apply -f crds/` would), then waits until it is Established and the resource is
 * actually served (a list succeeds). Safe to call again and again.
 */
export async function installCrd(kc: KubeConfig, file: string, timeoutMs = 60_000): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const desired = await loadCrdFile(file);
  const deadline = Date.now() + timeoutMs;
  // 409: another writer got in between (a create race or a stale resourceVersion): retry.
  await retryUntil(
    `install CRD ${CRD_NAME}`,
    deadline,
    () => createOrReplace(ext, desired),
    (err) => {
      const code = statusCode(err);
      return code !== undefined && code !== 409 && code < 500;
    },
  );
  await retryUntil(`CRD ${CRD_NAME} Established`, deadline, async () => {
    const current = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    const established = current.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status !== 'True') {
      throw new Error(`not yet: ${JSON.stringify(current.status?.conditions ?? [])}`);
    }
  });
  await retryUntil(`${PLURAL}.${GROUP} served`, deadline, () =>
    objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
  );
}
