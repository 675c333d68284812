import { expect } from 'chai';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  binaryCacheDir,
  candidatePaths,
  ensureBinaries,
} from '../../../src/control-plane/binaries.js';
import { pinnedVersions } from '../../../src/control-plane/versions.js';

const versions = { kubernetes: 'v1.35.4', etcd: 'v3.6.5' };

describe('control-plane binaries', () => {
  it('reads the pinned versions from the wrapper modules', () => {
    const pinned = pinnedVersions();
    expect(pinned.kubernetes).to.match(/^v1\.\d+\.\d+$/);
    expect(pinned.etcd).to.match(/^v3\.\d+\.\d+$/);
  });

  it('looks binaries up as envtest does: TEST_ASSET_*, then KUBEBUILDER_ASSETS, then the cache', () => {
    const env = { HOME: '/home/u', XDG_CACHE_HOME: '/cache' };
    expect(candidatePaths(versions, env)).to.deep.equal({
      kubeApiserver: '/cache/policyjobwatch/control-plane/v1.35.4-etcd-v3.6.5/kube-apiserver',
      etcd: '/cache/policyjobwatch/control-plane/v1.35.4-etcd-v3.6.5/etcd',
      kubectl: '/cache/policyjobwatch/control-plane/v1.35.4-etcd-v3.6.5/kubectl',
    });
    expect(candidatePaths(versions, { ...env, KUBEBUILDER_ASSETS: '/assets' })).to.deep.equal({
      kubeApiserver: '/assets/kube-apiserver',
      etcd: '/assets/etcd',
      kubectl: '/assets/kubectl',
    });
    const explicit = candidatePaths(versions, {
      ...env,
      KUBEBUILDER_ASSETS: '/assets',
      TEST_ASSET_KUBE_APISERVER: '/x/apiserver',
      TEST_ASSET_ETCD: '/x/etcd',
    });
    expect(explicit.kubeApiserver).to.equal('/x/apiserver');
    expect(explicit.etcd).to.equal('/x/etcd');
    expect(binaryCacheDir(versions, { POLICYJOBWATCH_CACHE_DIR: '/c' })).to.equal(
      '/c/control-plane/v1.35.4-etcd-v3.6.5',
    );
  });

  it('never builds binaries that KUBEBUILDER_ASSETS names but lacks', async () => {
    const assets = await mkdtemp(join(tmpdir(), 'pjw-assets-'));
    await mkdir(assets, { recursive: true });
    await writeFile(join(assets, 'etcd'), '#!/bin/sh\n', { mode: 0o755 });
    let error: unknown;
    try {
      await ensureBinaries({ env: { KUBEBUILDER_ASSETS: assets }, versions });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.include(`kube-apiserver not found or not executable at ${assets}`);
  });
});
