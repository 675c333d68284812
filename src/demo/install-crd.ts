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

/**
 * Creates the PolicyJobWatch CRD from its YAML file (crds/, as `kubectl apply -f crds/` would on a
 * fresh cluster), then waits until it is Established and the resource is actually served.
 */
export async function installCrd(kc: KubeConfig, file: string, timeoutMs = 60_000): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  // loadYaml turns the wire form (x-kubernetes-*) into client-node's model.
  const crd = loadYaml<V1CustomResourceDefinition>(await readFile(file, 'utf8'));
  try {
    await ext.createCustomResourceDefinition({ body: crd });
  } catch (err) {
    // A demo control plane is always fresh; 409 only if someone installed it meanwhile.
    if (!(err instanceof ApiException && err.code === 409)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  await retryUntil(`CRD ${CRD_NAME} Established`, deadline, async () => {
    const current = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    const established = current.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status !== 'True') throw new Error('not Established yet');
  });
  await retryUntil(`${PLURAL}.${GROUP} served`, deadline, () =>
    objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
  );
}
