import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  loadYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { eventually, type EventuallyOptions } from './eventually.js';
import { CRD_FILE, CRD_NAME, GROUP, PLURAL, VERSION } from '../../src/api/index.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Retries a probe until it succeeds, naming what it waited for when it gives up. */
async function retry<T>(
  what: string,
  probe: () => Promise<T>,
  options: EventuallyOptions = { timeoutMs: 30_000 },
): Promise<T> {
  try {
    return await eventually(probe, options);
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The CRD as shipped in crds/ (the unit tests check it is what src/api generates). */
export async function loadCrd(): Promise<V1CustomResourceDefinition> {
  // loadYaml turns the wire form (x-kubernetes-*) into client-node's model.
  return loadYaml<V1CustomResourceDefinition>(await readFile(join(REPO_ROOT, CRD_FILE), 'utf8'));
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
 * Installs the PolicyJobWatch CRD from crds/ (create, or replace when it exists), waits until it
 * is Established and until the resource is actually served (a list succeeds). Idempotent: every
 * test file that needs the CRD calls it in its `before` hook.
 */
export async function installCrd(kc: KubeConfig): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const desired = await loadCrd();
  // 409: another writer got in between (a create race or a stale resourceVersion): retry.
  await retry(`install CRD ${CRD_NAME}`, () => createOrReplace(ext, desired), {
    fatal: (err) => {
      const code = statusCode(err);
      return code !== undefined && code !== 409 && code < 500;
    },
  });
  await retry(`CRD ${CRD_NAME} Established`, async () => {
    const crd = await ext.readCustomResourceDefinition({ name: CRD_NAME });
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status !== 'True') {
      throw new Error(`not yet: ${JSON.stringify(crd.status?.conditions ?? [])}`);
    }
  });
  await retry(`${PLURAL}.${GROUP} served`, () =>
    objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
  );
}
