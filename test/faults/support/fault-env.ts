import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { LocalControlPlane } from '../../../src/control-plane/index.js';
import { freePort } from '../../../src/control-plane/free-port.js';
import { installCrd } from '../../../harness/crd.js';
import { operatorBundle } from '../../../harness/operator-bundle.js';
import { eventually } from '../../../harness/eventually.js';
import { PolicyJobWatchClient } from '../../support/policyjobwatch-client.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A control plane owned by one fault test file (so it may restart its apiserver without
 * disturbing other tests), with admin clients, and the operator as users run it: its own
 * process, `policyjobwatch run` from the production bundle.
 */
export class FaultEnv extends PolicyJobWatchClient {
  /** Every line any operator process of this env wrote (stdout and stderr). */
  readonly logs: string[] = [];

  private constructor(
    readonly cp: LocalControlPlane,
    namespace: string,
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

  static async start(namespace: string): Promise<FaultEnv> {
    const cp = await LocalControlPlane.start();
    process.stdout.write(`  own control plane: ${cp.describe()}\n`);
    const env = new FaultEnv(cp, namespace);
    try {
      await installCrd(env.kc);
      await env.core.createNamespace({ body: { metadata: { name: namespace } } });
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return env;
  }

  async stop(): Promise<void> {
    await this.cp.stop();
  }

  /**
   * The flags every fault test gives the operator: the simulator as its (allowed) endpoint, the
   * `ucs-credentials` Secret of this env's namespace, and a client rate limit no test reaches.
   */
  simulatorFlags(simUrl: string): Record<string, string> {
    return {
      'ucs-endpoint': simUrl,
      'allowed-endpoints': simUrl,
      'credentials-secret': `${this.namespace}/ucs-credentials`,
      'ucs-qps': '100',
      'ucs-burst': '200',
    };
  }

  /**
   * Starts `policyjobwatch run` watching this env's namespace, from the production bundle
   * (dist/policyjobwatch.mjs, rebuilt first when stale): the code that ships.
   */
  async startOperator(flags: Record<string, string>): Promise<OperatorProcess> {
    const [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
    const all: Record<string, string> = {
      kubeconfig: this.cp.kubeconfigPath,
      namespace: this.namespace,
      'metrics-bind-address': `127.0.0.1:${String(metricsPort)}`,
      'health-probe-bind-address': `127.0.0.1:${String(healthPort)}`,
      'log-format': 'json',
      'log-level': 'debug',
      ...flags,
    };
    const child = spawn(
      process.execPath,
      [operatorBundle(), 'run', ...Object.entries(all).flatMap(([k, v]) => [`--${k}`, v])],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const op = new OperatorProcess(child, this.logs, `http://127.0.0.1:${String(healthPort)}`);
    await op.waitHealthy();
    return op;
  }
}

export class OperatorProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedYet = false;

  constructor(
    readonly child: ChildProcess,
    logs: string[],
    private readonly healthUrl: string,
  ) {
    const collect = (chunk: Buffer): void => {
      logs.push(chunk.toString());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitedYet = true;
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return !this.exitedYet;
  }

  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () => {
        if (!this.running) throw new Error('the operator process exited');
        const res = await fetch(`${this.healthUrl}/readyz`);
        if (!res.ok) throw new Error(`readyz: HTTP ${String(res.status)}`);
      },
      { timeoutMs, intervalMs: 100, fatal: () => !this.running },
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Fails if any log line holds one of the secrets (or its base64, as a Secret's data has it). */
export function findLeaks(logs: readonly string[], secrets: readonly string[]): string[] {
  const text = logs.join('');
  return secrets.flatMap((secret) =>
    [secret, Buffer.from(secret).toString('base64')]
      .filter((form) => text.includes(form))
      .map((form) => `${secret} (as ${form === secret ? 'text' : 'base64'})`),
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
