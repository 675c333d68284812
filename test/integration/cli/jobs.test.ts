import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { controlPlane, kubectl, type CommandResult } from '../../support/control-plane.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NS = 'cli-jobs';
const TOKEN = 'sim-token-cli-7c1d';

/** Runs `policyjobwatch jobs ...` as a process, as a user or a CI script would. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'jobs', ...args],
      { cwd: ROOT, env: { ...process.env, KUBECONFIG: '/nonexistent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface ListView {
  kind: string;
  items: { jobID: string; type?: string; status?: string; extendParam?: Record<string, string> }[];
}

describe('policyjobwatch jobs list|get, as a process against the UCS simulator', function () {
  this.timeout(120_000);
  let sim: UcsSimulator;
  let ep: string[];

  function job(id: string, constraintID: string, createdAt: string, status: string) {
    sim.setJob({
      id,
      listKind: 'PolicyInstance',
      type: 'UpdateConstraint',
      operation: 'create',
      createdAt,
      extendParam: { constraintID },
      tasks: [{ target: 'c1' }, { target: 'c2' }],
      timeline: [{ at: '0s', status }],
    });
  }

  before(async () => {
    sim = await UcsSimulator.start({ token: TOKEN });
    ep = ['--ucs-endpoint', sim.url];
    job('job-a-old', 'ct-a', '0s', 'Succeeded');
    job('job-a-new', 'ct-a', '10ms', 'Running');
    job('job-b', 'ct-b', '20ms', 'Failed');
    await kubectl(['create', 'namespace', NS]);
    await kubectl([
      'create',
      'secret',
      'generic',
      'ucs-credentials',
      '-n',
      NS,
      `--from-literal=token=${TOKEN}`,
    ]);
    await kubectl(['create', 'secret', 'generic', 'wrong', '-n', NS, '--from-literal=token=nope']);
  });

  after(async () => {
    await kubectl(['delete', 'namespace', NS, '--wait=false']);
    await sim.stop();
  });

  it('lists newest first, filtered by the selector flags, as a table', async () => {
    const out = await cli(
      ['list', '--kind', 'PolicyInstance', '--match-extend-param', 'constraintID=ct-a', ...ep],
      { UCS_TOKEN: TOKEN },
    );
    expect(out.code, out.stderr).to.equal(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^JOB ID\s+TYPE\s+OPERATION\s+STATUS\s+CREATED\s+EXTEND PARAM$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).to.deep.equal([
      ['job-a-new', 'UpdateConstraint', 'create', 'Running'],
      ['job-a-old', 'UpdateConstraint', 'create', 'Succeeded'],
    ]);
    expect(out.stdout).to.not.include(TOKEN);
  });

  it('--newest 1 -o json: the job the controller would select', async () => {
    const out = await cli([
      'list',
      '--kind',
      'PolicyInstance',
      '--type',
      'UpdateConstraint',
      '--newest',
      '1',
      '-o',
      'json',
      '--token',
      TOKEN,
      ...ep,
    ]);
    expect(out.code, out.stderr).to.equal(0);
    const view = JSON.parse(out.stdout) as ListView;
    expect(view.kind).to.equal('PolicyInstance');
    expect(view.items.map((i) => [i.jobID, i.status, i.extendParam])).to.deep.equal([
      ['job-b', 'Failed', { constraintID: 'ct-b' }],
    ]);
  });

  it('get -o yaml prints the whole job; the table counts tasks', async () => {
    const yaml = await cli(['get', 'job-a-new', '-o', 'yaml', ...ep], { UCS_TOKEN: TOKEN });
    expect(yaml.code, yaml.stderr).to.equal(0);
    const doc = parse(yaml.stdout) as {
      metadata: { uid: string };
      spec: { taskList: unknown[] };
      status: { status: string };
    };
    expect([doc.metadata.uid, doc.status.status, doc.spec.taskList.length]).to.deep.equal([
      'job-a-new',
      'Running',
      2,
    ]);
    const tableOut = await cli(['get', 'job-a-old', ...ep], { UCS_TOKEN: TOKEN });
    expect(tableOut.code, tableOut.stderr).to.equal(0);
    expect(tableOut.stdout).to.match(/^JOB ID\s+TYPE\s+STATUS\s+TASKS/);
    expect(tableOut.stdout).to.match(
      /job-a-old\s+UpdateConstraint\s+Succeeded\s+2 \(2 Succeeded\)/,
    );
  });

  it('reads the credentials Secret through a kubeconfig, as the operator does', async () => {
    const out = await cli(
      [
        'get',
        'job-b',
        '-o',
        'json',
        '--kubeconfig',
        controlPlane().kubeconfigPath,
        '--credentials-secret',
        `${NS}/ucs-credentials`,
        ...ep,
      ],
      {},
    );
    expect(out.code, out.stderr).to.equal(0);
    expect((JSON.parse(out.stdout) as { status: { status: string } }).status.status).to.equal(
      'Failed',
    );
  });

  const failures: [string, string[], RegExp][] = [
    [
      'credentials UCS refuses',
      ['get', 'job-b', '--token', 'not-the-token'],
      /^policyjobwatch jobs get: cannot get job job-b: Unauthorized \(HTTP 401/,
    ],
    [
      'a Secret with credentials UCS refuses',
      ['list', '--kind', 'PolicyInstance', '--credentials-secret', `${NS}/wrong`],
      /^policyjobwatch jobs list: cannot list the jobs of kind PolicyInstance: Unauthorized/,
    ],
    [
      'a Secret that does not exist',
      ['get', 'job-b', '--credentials-secret', `${NS}/missing`],
      /^policyjobwatch jobs get: CredentialsNotFound: Secret cli-jobs\/missing not found/,
    ],
    [
      'an unknown job',
      ['get', 'no-such-job', '--token', TOKEN],
      /^policyjobwatch jobs get: cannot get job no-such-job: JobNotFound \(HTTP 404/,
    ],
    [
      'a selector the CRD would refuse',
      ['list', '--kind', 'PolicyInstance', '--created-after', 'yesterday', '--token', TOKEN],
      /^policyjobwatch jobs list: invalid selector: createdAfter/,
    ],
    [
      'a malformed --credentials-secret',
      ['get', 'job-b', '--credentials-secret', 'nonsense'],
      /^policyjobwatch jobs get: --credentials-secret: expected namespace\/name/,
    ],
  ];
  for (const [what, args, message] of failures) {
    it(`${what}: a clear error on stderr, exit code 1, nothing on stdout`, async () => {
      const out = await cli([...args, '--kubeconfig', controlPlane().kubeconfigPath, ...ep]);
      expect(out.code).to.equal(1);
      expect(out.stderr).to.match(message);
      expect(out.stdout).to.equal('');
      expect(out.stderr).to.not.include(TOKEN);
    });
  }
});
