import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { CRD_FILE } from '../src/api/index.js';
import { installCrd as installCrdFile, loadCrdFile } from '../src/demo/install-crd.js';

const CRD_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', CRD_FILE);

/** The CRD as shipped in crds/ (the unit tests check it is what src/api generates). */
export function loadCrd(): Promise<V1CustomResourceDefinition> {
  return loadCrdFile(CRD_PATH);
}

/**
 * Installs the PolicyJobWatch CRD from crds/ and waits until it is served. Idempotent: every
 * test file that needs the CRD calls it in its `before` hook.
 */
export function installCrd(kc: KubeConfig): Promise<void> {
  return installCrdFile(kc, CRD_PATH);
}
