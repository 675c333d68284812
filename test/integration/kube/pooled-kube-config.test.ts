import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { PooledKubeConfig } from '../../../src/kube/pooled-kube-config.js';
import { adminKubeConfig } from '../../support/control-plane.js';

/** Counts the TCP connections this process opens while `work` runs (Node's net channel). */
async function connectionsDuring(work: () => Promise<unknown>): Promise<number> {
  let opened = 0;
  const onSocket = (): void => {
    opened += 1;
  };
  subscribe('net.client.socket', onSocket);
  try {
    await work();
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
  return opened;
}

async function connectionsFor(kc: KubeConfig, requests: number): Promise<number> {
  const api = kc.makeApiClient(CoreV1Api);
  return connectionsDuring(async () => {
    for (let i = 0; i < requests; i++) await api.readNamespace({ name: 'default' });
  });
}

describe('PooledKubeConfig (kube-apiserver)', () => {
  it('sends sequential requests over one connection, where client-node alone opens one per request', async () => {
    const plain = await connectionsFor(adminKubeConfig(), 10);
    const kc = PooledKubeConfig.from(adminKubeConfig());
    const pooled = await connectionsFor(kc, 10);
    expect(
      plain,
      'client-node 2.0 without the pool (if this fails, client-node was fixed)',
    ).to.be.at.least(10);
    expect(pooled).to.equal(1);
    expect(kc.http2Connections, 'API clients send over HTTP/2').to.equal(1);
    kc.closeConnections();
    expect(kc.http2Connections).to.equal(0);
  });

  it('multiplexes many API clients and concurrent requests on one HTTP/2 connection', async () => {
    const kc = PooledKubeConfig.from(adminKubeConfig(), 'policyjobwatch/integration');
    const opened = await connectionsDuring(() =>
      Promise.all(
        Array.from({ length: 50 }, () =>
          kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' }),
        ),
      ),
    );
    expect(opened).to.equal(1);
    expect(kc.http2Connections).to.equal(1);
    // The apiserver's answers come back whole: a 404 is still an ApiException with its Status.
    const missing = await kc
      .makeApiClient(CoreV1Api)
      .readNamespace({ name: 'no-such-namespace' })
      .catch((err: unknown) => err);
    expect(missing).to.be.instanceOf(ApiException);
    expect((missing as ApiException<string>).code).to.equal(404);
    expect((missing as ApiException<string>).body).to.include('not found');
    kc.closeConnections();
  });

  it('keeps connections of another context (another TLS identity) in a pool of their own', async () => {
    const admin = adminKubeConfig();
    const cluster = admin.getCurrentCluster();
    const user = admin.getCurrentUser();
    if (!cluster || !user) throw new Error('no admin context');
    const kc = new PooledKubeConfig();
    kc.loadFromOptions({
      clusters: [cluster, { ...cluster, name: 'by-name', tlsServerName: 'localhost' }],
      users: [user],
      contexts: [
        { name: 'a', cluster: cluster.name, user: user.name },
        { name: 'b', cluster: 'by-name', user: user.name },
      ],
      currentContext: 'a',
    });
    await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
    kc.setCurrentContext('b');
    await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
    expect(kc.poolCount).to.equal(2);
    expect(kc.http2Connections, 'one HTTP/2 session per TLS identity').to.equal(2);
    kc.closeConnections();
  });

  it('copies the clusters, users and context of the KubeConfig it is made from', () => {
    const kc = adminKubeConfig();
    const pooled = PooledKubeConfig.from(kc);
    expect(pooled.getCurrentCluster()?.server).to.equal(kc.getCurrentCluster()?.server);
    expect(pooled.getCurrentUser()?.name).to.equal(kc.getCurrentUser()?.name);
    expect(PooledKubeConfig.from(pooled), 'already pooled: the same one').to.equal(pooled);
  });
});
