import { expect } from 'chai';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { slimForCache } from '../../../src/kube/resource-informer.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function resource(metadata: Record<string, unknown>): PolicyJobWatch {
  return {
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    metadata: { name: 'w', namespace: 'ns', resourceVersion: '7', ...metadata },
    spec: { jobIDs: ['a'] },
  };
}

describe('slimForCache', () => {
  it("drops managedFields and kubectl's last-applied copy, and keeps everything else", () => {
    const obj = resource({
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
      annotations: { [LAST_APPLIED]: '{"big":"copy"}', team: 'platform' },
      labels: { app: 'x' },
    });
    const slim = slimForCache(obj);
    expect(slim, 'the same object: the informer caches it').to.equal(obj);
    expect(Object.hasOwn(slim.metadata, 'managedFields')).to.equal(false);
    expect(slim.metadata).to.deep.equal({
      name: 'w',
      namespace: 'ns',
      resourceVersion: '7',
      annotations: { team: 'platform' },
      labels: { app: 'x' },
    });
    expect(slim.spec).to.deep.equal({ jobIDs: ['a'] });
  });

  it('leaves an object without them as it was', () => {
    const obj = resource({ annotations: { team: 'platform' } });
    const metadata = obj.metadata;
    const annotations = obj.metadata.annotations;
    slimForCache(obj);
    expect(obj.metadata).to.equal(metadata);
    expect(obj.metadata.annotations).to.equal(annotations);
    expect(obj.metadata).to.deep.equal({
      name: 'w',
      namespace: 'ns',
      resourceVersion: '7',
      annotations: { team: 'platform' },
    });
  });
});
