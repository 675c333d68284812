import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, type BinaryPaths, type ProgressLog } from './binaries.js';
import { generateControlPlaneCerts, type ControlPlaneCerts } from './certs.js';
import { freePort } from './free-port.js';
import { SupervisedProcess } from './supervised-process.js';

export interface ControlPlaneStartOptions {
  /** Progress lines (building, starting). Default: silent. */
  log?: ProgressLog;
  /** Binaries to use; default: found or built by ensureBinaries(). */
  binaries?: BinaryPaths;
  /** Time to wait for /readyz. */
  readyTimeoutMs?: number;
}

export interface RunningVersions {
  kubeApiserver: string;
  etcd: string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * A real etcd and kube-apiserver on free loopback ports, with a temporary data and
 * certificate folder, in RBAC mode, using the flags of controller-runtime's envtest.
 */
export class LocalControlPlane {
  private etcd: SupervisedProcess | undefined;
  private apiserver: SupervisedProcess | undefined;
  versions: RunningVersions = { kubeApiserver: '', etcd: '' };

  private constructor(
    readonly dir: string,
    readonly binaries: BinaryPaths,
    private readonly certs: ControlPlaneCerts,
    readonly apiserverPort: number,
    readonly etcdPort: number,
    private readonly etcdPeerPort: number,
    private readonly log: ProgressLog,
  ) {}

  /** https://127.0.0.1:PORT */
  get serverUrl(): string {
    return `https://127.0.0.1:${String(this.apiserverPort)}`;
  }

  get etcdUrl(): string {
    return `http://127.0.0.1:${String(this.etcdPort)}`;
  }

  /** Admin kubeconfig (client certificate in group system:masters). */
  get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  /** The CA that signed the serving certificate. */
  get caCertificate(): string {
    return this.certs.ca.cert;
  }

  static async start(options: ControlPlaneStartOptions = {}): Promise<LocalControlPlane> {
    const log = options.log ?? (() => undefined);
    const binaries = options.binaries ?? (await ensureBinaries({ log }));
    const dir = await mkdtemp(join(tmpdir(), 'policyjobwatch-cp-'));
    const [certs, apiserverPort, etcdPort, etcdPeerPort] = await Promise.all([
      generateControlPlaneCerts(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const cp = new LocalControlPlane(
      dir,
      binaries,
      certs,
      apiserverPort,
      etcdPort,
      etcdPeerPort,
      log,
    );
    try {
      await cp.writeFiles();
      await cp.startEtcd(options.readyTimeoutMs ?? 60_000);
      await cp.startApiServer(options.readyTimeoutMs ?? 90_000);
      cp.versions = await cp.readVersions();
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return cp;
  }

  private file(name: string): string {
    return join(this.dir, 'pki', name);
  }

  private async writeFiles(): Promise<void> {
    await mkdir(join(this.dir, 'pki'), { mode: 0o700 });
    const files: Record<string, string> = {
      'ca.crt': this.certs.ca.cert,
      'apiserver.crt': this.certs.serving.cert,
      'apiserver.key': this.certs.serving.key,
      'sa.pub': this.certs.serviceAccount.publicKey,
      'sa.key': this.certs.serviceAccount.privateKey,
      'admin.crt': this.certs.admin.cert,
      'admin.key': this.certs.admin.key,
    };
    await Promise.all(
      Object.entries(files).map(([name, text]) =>
        writeFile(this.file(name), text, { mode: 0o600 }),
      ),
    );
    await writeFile(this.kubeconfigPath, this.kubeconfigYaml(), { mode: 0o600 });
  }

  /** A kubeconfig for the admin user, with the certificates embedded. */
  kubeconfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: policyjobwatch-local',
      '  cluster:',
      `    server: ${this.serverUrl}`,
      `    certificate-authority-data: ${b64(this.certs.ca.cert)}`,
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate-data: ${b64(this.certs.admin.cert)}`,
      `    client-key-data: ${b64(this.certs.admin.key)}`,
      'contexts:',
      '- name: policyjobwatch-local',
      '  context: {cluster: policyjobwatch-local, user: admin}',
      'current-context: policyjobwatch-local',
      '',
    ].join('\n');
  }

  private async startEtcd(timeoutMs: number): Promise<void> {
    const peer = `http://127.0.0.1:${String(this.etcdPeerPort)}`;
    this.log('starting etcd');
    this.etcd = new SupervisedProcess(
      'etcd',
      this.binaries.etcd,
      [
        '--name=policyjobwatch',
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=${this.etcdUrl}`,
        `--advertise-client-urls=${this.etcdUrl}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=policyjobwatch=${peer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      { logFile: join(this.dir, 'etcd.log') },
    );
    await this.waitFor(this.etcd, timeoutMs, async () => {
      const answer = await httpGet(`${this.etcdUrl}/health`);
      return answer.status === 200;
    });
  }

  private apiserverArgs(): string[] {
    return [
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${String(this.apiserverPort)}`,
      `--etcd-servers=${this.etcdUrl}`,
      `--cert-dir=${join(this.dir, 'pki')}`,
      `--tls-cert-file=${this.file('apiserver.crt')}`,
      `--tls-private-key-file=${this.file('apiserver.key')}`,
      `--client-ca-file=${this.file('ca.crt')}`,
      `--service-account-key-file=${this.file('sa.pub')}`,
      `--service-account-signing-key-file=${this.file('sa.key')}`,
      `--service-account-issuer=${this.serverUrl}/`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      // As envtest: no controller-manager runs here to create service-account tokens.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
    ];
  }

  private async startApiServer(timeoutMs: number): Promise<void> {
    this.log('starting kube-apiserver');
    this.apiserver = new SupervisedProcess(
      'kube-apiserver',
      this.binaries.kubeApiserver,
      this.apiserverArgs(),
      { logFile: join(this.dir, 'kube-apiserver.log') },
    );
    await this.waitFor(this.apiserver, timeoutMs, async () => {
      const answer = await this.apiGet('/readyz');
      return answer.status === 200;
    });
  }

  /** Stops kube-apiserver and starts it again on the same port and etcd (fault tests). */
  async restartApiServer(options: { downMs?: number; timeoutMs?: number } = {}): Promise<void> {
    await this.apiserver?.stop();
    if (options.downMs) await sleep(options.downMs);
    await this.startApiServer(options.timeoutMs ?? 90_000);
  }

  private async waitFor(
    proc: SupervisedProcess,
    timeoutMs: number,
    ready: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!proc.running) {
        throw new Error(`${proc.name} exited before it was ready:\n${proc.output()}`);
      }
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${proc.name} not ready after ${String(timeoutMs / 1000)}s:\n${proc.output()}`,
        );
      }
      await sleep(200);
    }
  }

  /** GET on the apiserver as the admin user. */
  apiGet(path: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.serverUrl}${path}`,
        {
          ca: this.certs.ca.cert,
          cert: this.certs.admin.cert,
          key: this.certs.admin.key,
          timeout: 5000,
        },
        (res) => {
          collectBody(res, resolve, reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  private async readVersions(): Promise<RunningVersions> {
    const kube = JSON.parse((await this.apiGet('/version')).body) as { gitVersion?: string };
    const etcd = JSON.parse((await httpGet(`${this.etcdUrl}/version`)).body) as {
      etcdserver?: string;
    };
    return { kubeApiserver: kube.gitVersion ?? 'unknown', etcd: etcd.etcdserver ?? 'unknown' };
  }

  /** One line for logs: "kube-apiserver v1.35.4, etcd 3.6.5 at https://127.0.0.1:PORT". */
  describe(): string {
    return `kube-apiserver ${this.versions.kubeApiserver}, etcd ${this.versions.etcd} at ${this.serverUrl}`;
  }

  /** Stops kube-apiserver, then etcd, then removes the temporary folder. */
  async stop(): Promise<void> {
    await this.apiserver?.stop();
    await this.etcd?.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function collectBody(
  res: import('node:http').IncomingMessage,
  resolve: (a: HttpAnswer) => void,
  reject: (e: Error) => void,
): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => {
    resolve({ status: res.statusCode ?? 0, body });
  });
  res.on('error', reject);
}

function httpGet(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 5000 }, (res) => {
      collectBody(res, resolve, reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
