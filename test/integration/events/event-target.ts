import { installCrd } from '../../../harness/crd.js';
import type { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

/** The CRD, the client's namespace and a resource `w` in it, for events to regard: its uid. */
export async function eventTarget(h: PolicyJobWatchClient, namespace: string): Promise<string> {
  await installCrd(h.kc);
  await h.core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => undefined);
  await h.create('w', { jobIDs: ['a'] });
  return (await h.get('w')).metadata.uid ?? '';
}
