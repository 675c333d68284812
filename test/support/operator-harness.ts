import { Writable } from 'node:stream';
import winston from 'winston';
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
import { defaultOptionValues, parseOperatorConfig } from '../../src/runtime/config.js';
import { Operator } from '../../src/runtime/operator.js';
import { adminKubeConfig } from './control-plane.js';
import { installCrd } from './crd.js';
import { eventually } from './eventually.js';

/** An operator running in this process against the shared control plane, and its logs. */
export class OperatorHarness {
  readonly logs: string[] = [];
  operator: Operator | undefined;
  private clients: { kc: KubeConfig; objects: CustomObjectsApi; core: CoreV1Api } | undefined;

  constructor(readonly namespace: string) {}

  /** Admin clients of the shared control plane (which runs only once the root hooks ran). */
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
      const kc = adminKubeConfig();
      this.clients = {
        kc,
        objects: kc.makeApiClient(CustomObjectsApi),
        core: kc.makeApiClient(CoreV1Api),
      };
    }
    return this.clients;
  }

  /** Installs the CRD, creates the namespace, starts the operator (watching that namespace). */
  async start(flags: Record<string, string>): Promise<Operator> {
    await installCrd(this.kc);
    await this.core
      .createNamespace({ body: { metadata: { name: this.namespace } } })
      .catch(() => undefined);
    const config = parseOperatorConfig({
      ...defaultOptionValues(),
      namespace: this.namespace,
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '127.0.0.1:0',
      ...flags,
    });
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.logs.push(chunk.toString());
        done();
      },
    });
    const log = winston.createLogger({
      level: 'debug',
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    this.operator = new Operator(config, log, { kubeConfig: this.kc, processMetrics: false });
    await this.operator.start();
    return this.operator;
  }

  async stop(): Promise<void> {
    await this.operator?.stop();
    await this.core.deleteNamespace({ name: this.namespace }).catch(() => undefined);
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

  /** Waits until the resource satisfies `check` (which throws, with a reason, until it does). */
  async waitFor(
    name: string,
    check: (obj: PolicyJobWatch) => void,
    timeoutMs = 20_000,
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

  /** Events recorded for the resource, as "Type Reason message". */
  async events(name: string): Promise<string[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items.map((e) => `${e.type ?? ''} ${e.reason ?? ''} ${e.message ?? ''}`);
  }
}

/** The condition of a type, for assertions. */
export function condition(
  obj: PolicyJobWatch,
  type: string,
): { status: string; reason: string; message: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}
