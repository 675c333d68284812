import { Writable } from 'node:stream';
import winston from 'winston';
import { defaultOptionValues, parseOperatorConfig } from '../../src/runtime/config.js';
import { Operator } from '../../src/runtime/operator.js';
import { adminKubeConfig } from './control-plane.js';
import { installCrd } from '../../harness/crd.js';
import { PolicyJobWatchClient } from './policyjobwatch-client.js';

/** An operator running in this process against the shared control plane, and its logs. */
export class OperatorHarness extends PolicyJobWatchClient {
  readonly logs: string[] = [];
  operator: Operator | undefined;

  constructor(namespace: string) {
    super(adminKubeConfig, namespace);
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
}
