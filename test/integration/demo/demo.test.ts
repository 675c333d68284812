import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Once the control plane binaries are built (the root hooks built them for this run). */
const DEMO_LIMIT_MS = 3 * 60_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The rows of the last `kubectl get pjw` table printed, as NAME -> [PHASE, JOBS, READY, REASON]. */
function lastTable(stdout: string): Record<string, string[]> {
  const start = stdout.lastIndexOf('\nNAME ');
  expect(start, 'a table was printed').to.be.greaterThan(-1);
  const rows: Record<string, string[]> = {};
  for (const line of stdout
    .slice(start + 1)
    .split('\n')
    .slice(1)) {
    if (line.trim() === '') break;
    const [name = '', ...columns] = line.trim().split(/\s+/);
    rows[name] = columns.slice(0, 4);
  }
  return rows;
}

function pgrep(pattern: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-af', pattern], (_error, stdout) => {
      resolve(stdout);
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('policyjobwatch-dev demo, run as users run it', function () {
  this.timeout(DEMO_LIMIT_MS + 60_000);
  let child: ChildProcess | undefined;
  let exited = false;

  after(() => {
    // Whatever happened, nothing of this demo outlives the test run.
    if (child?.pid !== undefined && !exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('plays the scenario to its end, exits 0 with the expected phases, and stops everything', async () => {
    let stdout = '';
    let stderr = '';
    const started = Date.now();
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/dev-cli/main.ts', 'demo', '--exit-when-settled'],
      { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = await new Promise<Exit | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        resolve('timeout');
      }, DEMO_LIMIT_MS);
      proc.on('exit', (code, signal) => {
        exited = true;
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    const output = `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
    expect(exit, `the demo did not exit within 3 minutes${output}`).to.not.equal('timeout');
    expect(exit, output).to.deep.equal({ code: 0, signal: null });
    process.stdout.write(`      (demo took ${((Date.now() - started) / 1000).toFixed(0)}s)\n`);

    expect(lastTable(stdout), output).to.deep.equal({
      'rollout-ok': ['Succeeded', '1/1', 'True', 'JobsSucceeded'],
      'rollout-partial-failure': ['Failed', '0/1', 'False', 'JobFailed'],
      'rollout-timeout': ['Failed', '0/1', 'False', 'JobTimedOut'],
      'seed-example': ['Succeeded', '1/1', 'True', 'JobsSucceeded'],
      'pipeline-newest': ['Succeeded', '1/1', 'True', 'JobsSucceeded'],
    });
    // The pipeline act: a new job started through the write API, followed Running, then to its end.
    const jobID = /pipeline step: PUT \/v1\/policyinstances\/\S+ -> \{"jobID":"([^"]+)"\}/.exec(
      stdout,
    )?.[1];
    expect(jobID, output).to.be.a('string');
    const running = stdout.indexOf(`pipeline-newest follows the new job ${jobID!}: Running`);
    const succeeded = stdout.indexOf(`pipeline-newest: job ${jobID!} Succeeded`);
    expect(running, output).to.be.greaterThan(-1);
    expect(succeeded, output).to.be.greaterThan(running);
    expect(stdout).to.include('Settled after');
    expect(stdout).to.include('as the scenario expects');
    expect(stdout).to.include('Stopped everything.');
    // Not a terminal: plain lines, no cursor movement.
    expect(stdout).to.not.include('\x1b[');

    // Its own control plane: gone, processes, port and folder.
    const cpDir = /kubeconfig: (\S*policyjobwatch-cp-[^/\s]+)\/kubeconfig/.exec(stdout)?.[1];
    const port = /etcd \S+ at https:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
    expect(cpDir, output).to.be.a('string');
    expect(port, output).to.be.a('string');
    expect(await pgrep(cpDir!), 'etcd or kube-apiserver of the demo still running').to.equal('');
    expect(await accepts(Number(port)), `kube-apiserver port ${port!} still open`).to.equal(false);
    // ... and the demo's own folder of logs, removed after a successful run.
    const workDir = /logs: (\S*policyjobwatch-demo-[^/\s]+)\/operator\.log/.exec(stdout)?.[1];
    expect(workDir, output).to.be.a('string');
    for (const dir of [cpDir!, workDir!]) {
      const gone = await access(dir).then(
        () => false,
        () => true,
      );
      expect(gone, `${dir} left behind`).to.equal(true);
    }
  });
});
