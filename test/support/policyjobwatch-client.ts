import {
  CoreV1Api,
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
  type PolicyJobWatch,
} from '../../src/api/index.js';
import { eventually } from '../../harness/eventually.js';

/**
 * PolicyJobWatch resources, Secrets and Events of one namespace, as tests use them. The
 * KubeConfig comes from a function, because the shared control plane only runs once the
 * root hooks ran.
 */
export class PolicyJobWatchClient {
  private clients: { kc: KubeConfig; objects: CustomObjectsApi; core: CoreV1Api } | undefined;

  constructor(
    private readonly kubeConfig: () => KubeConfig,
    readonly namespace: string,
    private readonly waitTimeoutMs = 20_000,
  ) {}

  get kc(): KubeConfig {
    return this.api().kc;
  }

  get objects(): CustomObjectsApi {
    return this.api().objects;
  }

  get core(): CoreV1Api {
    return this.api().core;
  }

  private api(): { kc: KubeConfig; objects: CustomObjectsApi; core: CoreV1Api } {
    if (!this.clients) {
      const kc = this.kubeConfig();
      this.clients = {
        kc,
        objects: kc.makeApiClient(CustomObjectsApi),
        core: kc.makeApiClient(CoreV1Api),
      };
    }
    return this.clients;
  }

  async secret(name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace: this.namespace }, stringData: data };
    try {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body });
    } catch {
      await this.core.replaceNamespacedSecret({ namespace: this.namespace, name, body });
    }
  }

  async create(
    name: string,
    spec: Record<string, unknown>,
    annotations?: Record<string, string>,
  ): Promise<void> {
    await this.objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: PLURAL,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name, namespace: this.namespace, ...(annotations ? { annotations } : {}) },
        spec,
      },
    });
  }

  async patch(name: string, body: Record<string, unknown>): Promise<void> {
    await this.objects.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL, name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async get(name: string): Promise<PolicyJobWatch> {
    return (await this.objects.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: PLURAL,
      name,
    })) as PolicyJobWatch;
  }

  async list(): Promise<PolicyJobWatch[]> {
    const list = (await this.objects.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: PLURAL,
    })) as { items: PolicyJobWatch[] };
    return list.items;
  }

  /** Waits until `check` stops throwing for the resource; the error shows the last status. */
  async waitFor(
    name: string,
    check: (obj: PolicyJobWatch) => void,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<PolicyJobWatch> {
    let last: PolicyJobWatch | undefined;
    try {
      return await eventually(
        async () => {
          last = await this.get(name);
          check(last);
          return last;
        },
        { timeoutMs, intervalMs: 250 },
      );
    } catch (err) {
      const status = JSON.stringify(last?.status ?? null, null, 1).slice(0, 3000);
      throw new Error(
        `${name}: ${err instanceof Error ? err.message : String(err)}\nlast status: ${status}`,
        { cause: err },
      );
    }
  }

  /**
   * Events as "Type Reason message" for one object, or as "name Type Reason message" for the
   * whole namespace.
   */
  async events(name?: string): Promise<string[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      ...(name === undefined ? {} : { fieldSelector: `involvedObject.name=${name}` }),
    });
    return list.items.map((e) => {
      const line = `${e.type ?? ''} ${e.reason ?? ''} ${e.message ?? ''}`;
      return name === undefined ? `${e.involvedObject.name ?? ''} ${line}` : line;
    });
  }
}

/** The condition of a type, for assertions. */
export function condition(
  obj: PolicyJobWatch,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}
