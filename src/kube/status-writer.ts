import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  API_VERSION,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
  type PolicyJobWatchStatus,
} from '../api/index.js';
import { StatusTooLargeError } from '../controller/ports.js';
import { apiMessage, apiStatus, isTooLarge } from './kube-errors.js';

export const FIELD_MANAGER = 'policyjobwatch';

/**
 * Writes the whole status with server-side apply on the status subresource, under one field
 * manager: fields the operator no longer sets (a removed job, a cleared error) are removed,
 * and spec is never touched.
 */
export class StatusWriter {
  private readonly api: CustomObjectsApi;
  private readonly applyOptions = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  /** The new resourceVersion, or undefined when the resource is gone (nothing to write to). */
  async apply(
    namespace: string,
    name: string,
    status: PolicyJobWatchStatus,
  ): Promise<string | undefined> {
    try {
      const written = (await this.api.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name,
          body: { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status },
          fieldManager: FIELD_MANAGER,
          force: true,
        },
        this.applyOptions,
      )) as { metadata?: { resourceVersion?: string } };
      return written.metadata?.resourceVersion ?? '';
    } catch (err) {
      if (apiStatus(err) === 404) return undefined;
      if (isTooLarge(err)) throw new StatusTooLargeError(apiMessage(err));
      throw err;
    }
  }
}
