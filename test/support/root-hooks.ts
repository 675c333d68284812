import type { Context, Suite } from 'mocha';
import { startSharedControlPlane, stopSharedControlPlane } from './control-plane.js';

function includesIntegrationTests(root: Suite | undefined): boolean {
  return (root?.suites ?? []).some((suite) => suite.file?.includes('/test/integration/') === true);
}

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    if (!includesIntegrationTests(this.test?.parent)) return;
    // The first run on a machine builds kube-apiserver and etcd from source.
    this.timeout(30 * 60_000);
    await startSharedControlPlane();
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    await stopSharedControlPlane();
  },
};
