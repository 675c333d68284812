import { expect } from 'chai';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { adminKubeConfig, controlPlane, kubectl } from '../support/control-plane.js';
import { eventually } from '../../harness/eventually.js';

const GROUP = 'smoke.policyjobwatch.io';
const PLURAL = 'widgets';

const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [{ name: 'Color', type: 'string', jsonPath: '.status.color' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { color: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

describe('the local control plane', () => {
  it('is a real kube-apiserver of the pinned release, with RBAC on', async () => {
    const cp = controlPlane();
    const version = JSON.parse((await cp.apiGet('/version')).body) as { gitVersion: string };
    expect(version.gitVersion).to.match(/^v1\.\d+\.\d+$/);
    expect(cp.versions.kubeApiserver).to.equal(version.gitVersion);
    const clusterRoles = await kubectl(['get', 'clusterrole', 'cluster-admin', '-o', 'name']);
    expect(clusterRoles.stdout.trim()).to.equal(
      'clusterrole.rbac.authorization.k8s.io/cluster-admin',
    );
    const canI = await kubectl([
      'auth',
      'can-i',
      'get',
      'secrets',
      '--as=system:serviceaccount:default:nobody',
    ]);
    expect(canI.stdout.trim()).to.equal('no');
  });

  it('serves a custom resource: CRD, discovery, create, get, list, watch, status, kubectl', async () => {
    const kc = adminKubeConfig();
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    const objects = kc.makeApiClient(CustomObjectsApi);
    await ext.createCustomResourceDefinition({ body: crd });
    // Discovery: kubectl sees the new resource type once the CRD is established.
    await eventually(async () => {
      const res = await kubectl(['api-resources', `--api-group=${GROUP}`, '-o', 'name']);
      if (!res.stdout.includes(`${PLURAL}.${GROUP}`)) throw new Error(res.stdout + res.stderr);
    });

    const base = { group: GROUP, version: 'v1', namespace: 'default', plural: PLURAL };
    // Serving can lag discovery by a moment: retry the first write.
    await eventually(() =>
      objects.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: `${GROUP}/v1`,
          kind: 'Widget',
          metadata: { name: 'first' },
          spec: { size: 3 },
        },
      }),
    );
    const seen: string[] = [];
    const watchAbort = await new Watch(kc).watch(
      `/apis/${GROUP}/v1/namespaces/default/${PLURAL}`,
      {},
      (phase, obj: { metadata?: { name?: string }; status?: { color?: string } }) => {
        seen.push(`${phase} ${obj.metadata?.name ?? ''} ${obj.status?.color ?? '-'}`);
      },
      (err: unknown) => {
        if (err) seen.push(`ERROR ${err instanceof Error ? err.message : 'watch ended'}`);
      },
    );
    try {
      const got = (await objects.getNamespacedCustomObject({ ...base, name: 'first' })) as {
        spec: { size: number };
      };
      expect(got.spec.size).to.equal(3);
      const list = (await objects.listNamespacedCustomObject(base)) as { items: unknown[] };
      expect(list.items).to.have.length(1);

      await objects.patchNamespacedCustomObjectStatus(
        { ...base, name: 'first', body: { status: { color: 'green' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      // The status subresource ignores spec changes and the main resource ignores status.
      await objects.patchNamespacedCustomObject(
        { ...base, name: 'first', body: { status: { color: 'red' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      const after = (await objects.getNamespacedCustomObject({ ...base, name: 'first' })) as {
        status: { color: string };
      };
      expect(after.status.color).to.equal('green');

      await eventually(() => {
        if (!seen.includes('MODIFIED first green')) throw new Error(seen.join('\n'));
        return Promise.resolve();
      });
      expect(seen[0]).to.equal('ADDED first -');

      const table = await kubectl(['get', `${PLURAL}.${GROUP}`, '-n', 'default']);
      expect(table.code).to.equal(0, table.stderr);
      expect(table.stdout).to.match(/^NAME\s+COLOR\n/);
      expect(table.stdout).to.match(/\nfirst\s+green\n/);
    } finally {
      watchAbort.abort();
      await ext.deleteCustomResourceDefinition({ name: crd.metadata!.name! });
    }
  });
});
