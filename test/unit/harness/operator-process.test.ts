import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { NodeProcess, OperatorProcess, flagArgs } from '../../../harness/operator-process.js';

/** A `node -e` child of the launcher. */
function node(name: string, script: string, options: { logFile?: string } = {}): NodeProcess {
  return new NodeProcess({ name, args: ['-e', script], ...options });
}

describe('harness: the process launcher', function () {
  this.timeout(20_000);

  it('keeps stdout and stderr as lines (an unterminated last one too), all read by `exited`, and copies them to its log file', async () => {
    const logFile = join(await mkdtemp(join(tmpdir(), 'launcher-test-')), 'child.log');
    const child = node(
      'lines',
      `console.log('one\\ntwo'); console.error('{"message":"on stderr","n":1}'); process.stdout.write('tail')`,
      { logFile },
    );
    const exit = await child.exited;
    expect(exit.code).to.equal(0);
    expect(child.running).to.equal(false);
    expect(child.lines).to.have.members(['one', 'two', '{"message":"on stderr","n":1}', 'tail']);
    expect(child.logged('on stderr')).to.deep.equal({ message: 'on stderr', n: 1 });
    const log = await readFile(logFile, 'utf8');
    for (const line of ['one', 'two', 'on stderr', 'tail']) expect(log).to.include(line);
  });

  it('waitForLine resolves with the match, and fails when the process exits first', async () => {
    const listening = node(
      'sim',
      `console.log('listening on http://127.0.0.1:1234'); setTimeout(() => {}, 5000)`,
    );
    const match = await listening.waitForLine(/listening on (\S+)/, 10_000);
    expect(match[1]).to.equal('http://127.0.0.1:1234');
    await listening.stop();
    const silent = node('silent', `process.exitCode = 3`);
    const err = await silent.waitForLine(/never/, 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).to.match(/silent exited \(3\)/);
  });

  it('stop() sends SIGTERM, then SIGKILL after the grace to a process that ignores it', async () => {
    const polite = node('polite', `setTimeout(() => {}, 60_000)`);
    await polite.stop(5_000);
    expect(polite.exit?.signal).to.equal('SIGTERM');
    const stubborn = node(
      'stubborn',
      `process.on('SIGTERM', () => console.log('ignored')); console.log('armed'); setTimeout(() => {}, 60_000)`,
    );
    await stubborn.waitForLine(/armed/, 10_000);
    await stubborn.stop(300);
    expect(stubborn.exit?.signal).to.equal('SIGKILL');
    expect(stubborn.lines).to.include('ignored');
    await stubborn.stop(); // once exited: nothing
  });

  it('OperatorProcess.ready() fails at once, with its output, when the operator exits', async function () {
    this.timeout(60_000); // builds the bundle first when it is stale
    const op = await OperatorProcess.start({ args: flagArgs({ 'poll-interval': '1s' }) });
    const err = await op.ready({ timeoutMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).to.match(/operator exited \(2\)/);
    expect(String(err)).to.include('--poll-interval');
    expect(op.exit?.code).to.equal(2);
  });

  it('flagArgs turns a record into --flag value pairs', () => {
    expect(flagArgs({ namespace: 'a', 'poll-interval': '5s' })).to.deep.equal([
      '--namespace',
      'a',
      '--poll-interval',
      '5s',
    ]);
  });
});
