import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { LocalControlPlane } from '../../../src/control-plane/index.js';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { installCrd } from '../../../harness/crd.js';
import { OperatorProcess, flagArgs } from '../../../harness/operator-process.js';
import { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

/**
 * What one fault test file owns: a control plane (so it may restart its apiserver without
 * disturbing other tests) with admin clients, the UCS simulator with a token and the
 * `ucs-credentials` Secret holding it, and the operator as users run it: its own process,
 * `policyjobwatch run` from the production bundle.
 */
export class FaultEnv extends PolicyJobWatchClient {
  /** Every line the simulator logged. */
  readonly simLog: string[] = [];
  private readonly operators: OperatorProcess[] = [];
  private simulator: UcsSimulator | undefined;

  private constructor(
    readonly cp: LocalControlPlane,
    namespace: string,
    /** The token the simulator takes and the Secret holds. */
    readonly token: string,
    /** Where the operator processes' logs go, one file each. */
    readonly logDir: string,
  ) {
    super(
      () => {
        const kc = new KubeConfig();
        kc.loadFromString(cp.kubeconfigYaml());
        return kc;
      },
      namespace,
      30_000,
    );
  }

  static async start(namespace: string, token: string): Promise<FaultEnv> {
    const cp = await LocalControlPlane.start();
    process.stdout.write(`  own control plane: ${cp.describe()}\n`);
    const logDir = await mkdtemp(join(tmpdir(), `policyjobwatch-${namespace}-`));
    process.stdout.write(`  operator logs: ${logDir}\n`);
    const env = new FaultEnv(cp, namespace, token, logDir);
    try {
      env.simulator = await UcsSimulator.start({ token, log: (line) => env.simLog.push(line) });
      await installCrd(env.kc);
      await env.core.createNamespace({ body: { metadata: { name: namespace } } });
      await env.secret('ucs-credentials', { token });
    } catch (err) {
      await env.stop();
      throw err;
    }
    return env;
  }

  get sim(): UcsSimulator {
    if (!this.simulator) throw new Error('the simulator is not running');
    return this.simulator;
  }

  /** Every line any operator process of this env wrote (stdout and stderr). */
  get logs(): string[] {
    return this.operators.flatMap((op) => op.lines);
  }

  /** The JSON log records with this message, of every operator process of this env. */
  logged(message: string): Record<string, unknown>[] {
    return this.operators.flatMap((op) => op.records()).filter((r) => r.message === message);
  }

  /** Where the token shows in the operators' or the simulator's logs (none, one hopes). */
  leaks(): string[] {
    return findLeaks([...this.logs, ...this.simLog], [this.token]);
  }

  /** Stops the operators still running, the simulator and the control plane. */
  async stop(): Promise<void> {
    await Promise.all(this.operators.map((op) => op.stop()));
    await this.simulator?.stop();
    await this.cp.stop();
  }

  /**
   * Starts `policyjobwatch run` watching this env's namespace, from the production bundle, and
   * waits until it is ready: the simulator as its (allowed) endpoint, the `ucs-credentials`
   * Secret, a client rate limit no test reaches, debug JSON logs (to a file in `logDir` and
   * into `logs`), then `flags`.
   */
  async startOperator(flags: Record<string, string>): Promise<OperatorProcess> {
    const name = `operator-${String(this.operators.length + 1)}`;
    const op = await OperatorProcess.start({
      name,
      args: flagArgs({
        kubeconfig: this.cp.kubeconfigPath,
        namespace: this.namespace,
        'ucs-endpoint': this.sim.url,
        'allowed-endpoints': this.sim.url,
        'credentials-secret': `${this.namespace}/ucs-credentials`,
        'ucs-qps': '100',
        'ucs-burst': '200',
        'log-format': 'json',
        'log-level': 'debug',
        ...flags,
      }),
      logFile: join(this.logDir, `${name}.log`),
      stopGraceMs: 15_000,
    });
    this.operators.push(op);
    try {
      await op.ready();
    } catch (err) {
      op.kill('SIGKILL');
      throw err;
    }
    return op;
  }
}

/** Fails if any log line holds one of the secrets (or its base64, as a Secret's data has it). */
function findLeaks(logs: readonly string[], secrets: readonly string[]): string[] {
  const text = logs.join('\n');
  return secrets.flatMap((secret) =>
    [secret, Buffer.from(secret).toString('base64')]
      .filter((form) => text.includes(form))
      .map((form) => `${secret} (as ${form === secret ? 'text' : 'base64'})`),
  );
}
