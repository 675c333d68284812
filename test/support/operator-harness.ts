import { Writable } from 'node:stream';
import winston from 'winston';
import { defaultOptionValues, parseOperatorConfig } from '../../src/runtime/config.js';
import { Operator } from '../../src/runtime/operator.js';
import { UcsSimulator, type UcsSimulatorOptions } from '../../src/ucs-sim/index.js';
import { adminKubeConfig } from './control-plane.js';
import { installCrd } from '../../harness/crd.js';
import { PolicyJobWatchClient } from './policyjobwatch-client.js';

/** What `startWithSimulator` sets up. */
export interface SimulatorSetup {
  /** The simulator's options. */
  sim: UcsSimulatorOptions;
  /** Operator flags, after the simulator as `ucsEndpoint` and the Secret as `credentialsSecret`. */
  flags?: Record<string, string>;
  /** The simulator is the operator's IAM endpoint too. */
  iam?: boolean;
  /** The data of the `ucs-credentials` Secret (default: the simulator's token). */
  secret?: Record<string, string>;
}

/** An operator running in this process against the shared control plane, and its logs. */
export class OperatorHarness extends PolicyJobWatchClient {
  readonly logs: string[] = [];
  operator: Operator | undefined;
  private sim: UcsSimulator | undefined;

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

  /**
   * Starts the UCS simulator, then the operator with it as its endpoint and the
   * `ucs-credentials` Secret of this namespace; `stop()` stops the simulator too.
   */
  async startWithSimulator(setup: SimulatorSetup): Promise<UcsSimulator> {
    const sim = await UcsSimulator.start(setup.sim);
    this.sim = sim;
    await this.start({
      ucsEndpoint: sim.url,
      ...(setup.iam === true ? { iamEndpoint: sim.url } : {}),
      credentialsSecret: `${this.namespace}/ucs-credentials`,
      ...setup.flags,
    });
    await this.secret('ucs-credentials', setup.secret ?? { token: setup.sim.token ?? '' });
    return sim;
  }

  async stop(): Promise<void> {
    await this.operator?.stop();
    await this.core.deleteNamespace({ name: this.namespace }).catch(() => undefined);
    await this.sim?.stop();
  }
}
