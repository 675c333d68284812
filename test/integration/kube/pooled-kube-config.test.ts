import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
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
    const pooled = await connectionsFor(PooledKubeConfig.from(adminKubeConfig()), 10);
    expect(
      plain,
      'client-node 2.0 without the pool (if this fails, client-node was fixed)',
    ).to.be.at.least(10);
    expect(pooled).to.equal(1);
  });

  it('keeps one pool for many API clients and concurrent requests', async () => {
    const kc = PooledKubeConfig.from(adminKubeConfig());
    const opened = await connectionsDuring(() =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' }),
        ),
      ),
    );
    expect(kc.poolCount).to.equal(1);
    // HTTP/2 multiplexes; undici may open a second connection while the first handshakes.
    expect(opened).to.be.within(1, 2);
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
  });

  it('copies the clusters, users and context of the KubeConfig it is made from', () => {
    const kc = adminKubeConfig();
    const pooled = PooledKubeConfig.from(kc);
    expect(pooled.getCurrentCluster()?.server).to.equal(kc.getCurrentCluster()?.server);
    expect(pooled.getCurrentUser()?.name).to.equal(kc.getCurrentUser()?.name);
    expect(PooledKubeConfig.from(pooled), 'already pooled: the same one').to.equal(pooled);
  });
});
