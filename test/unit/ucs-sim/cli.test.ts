import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../../harness/eventually.js';
import { getJob, jobBody, send, SEED_ID } from './sim-http.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LISTENING = /^ucs-sim listening on (http:\/\/127\.0\.0\.1:(\d+))$/m;

interface RunningCli {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the CLI as a user would: through npx (the default), or straight on this Node with
 * tsx's loader. npx runs it as npm -> sh -> tsx -> node, so the child leads its own process
 * group and signals go to the whole group, as a terminal's Ctrl-C or a supervisor's kill does.
 */
function startCli(
  args: string[],
  options: { env?: Record<string, string>; viaNpx?: boolean } = {},
): Promise<RunningCli> {
  const [command, prefix] =
    options.viaNpx === false
      ? [process.execPath, ['--import', 'tsx', 'src/dev-cli/main.ts']]
      : ['npx', ['tsx', 'src/dev-cli/main.ts']];
  const child = spawn(command, [...prefix, 'ucs-sim', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // Node's stdio "pipes" are socket pairs: a child killed by a signal can leave a read with
  // ECONNRESET. What was read is kept and the assertions judge it; the test must not die of it.
  for (const stream of [child.stdout, child.stderr]) stream.on('error', () => undefined);
  // 'close', not 'exit': through npx the server is a grandchild that shares the pipes, and npm
  // can exit on the signal before the server wrote its last line ("ucs-sim: stopped"); 'close'
  // comes once every holder of the pipes is gone and all they wrote was read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new Error(`no listening line within 20 s; stdout: ${out}; stderr: ${err}`));
    }, 20_000);
    const onData = (): void => {
      const url = LISTENING.exec(out)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ child, url, stdout: () => out, stderr: () => err, exited });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${String(code)} before listening; stderr: ${err}`));
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** True once nothing answers on the URL any more. */
async function refused(url: string): Promise<boolean> {
  try {
    await send(url, { path: '/_sim/stats', timeoutMs: 2000 });
    return false;
  } catch {
    return true;
  }
}

describe('ucs-sim: the CLI (policyjobwatch-dev ucs-sim)', function () {
  this.timeout(40_000);

  it('prints exactly the listening line on stdout, serves the seed, and stops on SIGTERM', async () => {
    const cli = await startCli(['--port', '0']);
    expect(cli.stdout()).to.match(/^ucs-sim listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(Number(LISTENING.exec(cli.stdout())?.[2])).to.be.above(0);
    expect((await getJob(cli.url, SEED_ID)).status).to.equal(200);
    signalGroup(cli.child, 'SIGTERM');
    await cli.exited;
    // npm reports its own child's signal rather than the server's clean exit; the server's
    // own exit code is checked in the next test, without npm in between.
    expect(cli.stderr()).to.include('ucs-sim: stopped');
    expect(await refused(cli.url)).to.equal(true);
  });

  it('exits with code 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const cli = await startCli(['--port', '0'], { viaNpx: false });
      expect(cli.stdout()).to.match(LISTENING);
      cli.child.kill(signal);
      expect(await cli.exited, signal).to.deep.equal({ code: 0, signal: null });
      expect(cli.stderr()).to.include('ucs-sim: stopped');
    }
  });

  it('takes secrets from the environment and never logs them', async () => {
    const cli = await startCli(['--port', '0', '--ak', 'MYACCESSKEY', '--latency', '5ms'], {
      env: { UCS_SIM_TOKEN: 'token-from-env', UCS_SIM_SK: 'secret-key-from-env' },
      viaNpx: false,
    });
    try {
      expect((await getJob(cli.url, SEED_ID)).status).to.equal(401);
      expect(
        (await getJob(cli.url, SEED_ID, { 'X-Auth-Token': 'token-from-env' })).status,
      ).to.equal(200);
      const stats = JSON.parse((await send(cli.url, { path: '/_sim/stats' })).body) as {
        requests: { byAuth: Record<string, number> };
      };
      expect(stats.requests.byAuth).to.deep.equal({ rejected: 1, token: 1 });
      expect(cli.stderr()).to.include('auth: fixed token, AK/SK signing');
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited;
    }
    expect(cli.stderr()).to.not.include('token-from-env');
    expect(cli.stderr()).to.not.include('secret-key-from-env');
  });

  it('refuses an invalid scenario file, naming the path of the problem', async () => {
    let error: unknown;
    try {
      await startCli(['--scenario', 'test/unit/ucs-sim/cli.test.ts'], { viaNpx: false });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/exited with [1-9]/);
    expect(String(error)).to.include('cli.test.ts');
  });

  it('--write-job-duration sets how long a job started by a write call runs', async () => {
    const auth = { 'X-Auth-Token': 'tok-write' };
    const cli = await startCli(
      ['--port', '0', '--token', 'tok-write', '--write-job-duration', '300ms'],
      { viaNpx: false },
    );
    try {
      const res = await send(cli.url, {
        method: 'POST',
        path: '/v1/clusters/cluster-a/policy',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(res.status, res.body).to.equal(200);
      const { jobID } = JSON.parse(res.body) as { jobID: string };
      // The default (10 s) would outlast this wait.
      await eventually(
        async () => {
          const status = jobBody(await getJob(cli.url, jobID, auth)).status.status;
          expect(status).to.equal('Succeeded');
        },
        { timeoutMs: 5_000 },
      );
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited;
    }
  });
});
