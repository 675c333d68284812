import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../../harness/eventually.js';
import { bufferedStderr, createLogger } from '../../../src/runtime/logger.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('createLogger', () => {
  let dir: string;
  let fd: number;
  const lines = (): Record<string, unknown>[] =>
    readFileSync(join(dir, 'log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logger-'));
    fd = openSync(join(dir, 'log'), 'w');
  });
  afterEach(async () => {
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  });

  it('gathers lines and writes them together within 100 ms, in order, as JSON', async () => {
    const log = createLogger({ level: 'info', format: 'json', out: bufferedStderr(fd) });
    for (let i = 0; i < 5; i++) log.info('line', { i });
    log.debug('dropped at info');
    expect(lines(), 'nothing written yet: the lines wait in the buffer').to.deep.equal([]);
    await eventually(() => {
      expect(lines().map((l) => l['i'])).to.deep.equal([0, 1, 2, 3, 4]);
    });
    expect(lines()[0]).to.include({ level: 'info', message: 'line' });
    expect(lines()[0]).to.have.property('timestamp');
  });

  it('writes at once past 8 KiB', () => {
    const log = createLogger({ level: 'info', format: 'text', out: bufferedStderr(fd) });
    for (let i = 0; i < 100; i++) log.info('x'.repeat(100), { i });
    // One write is under way (off the main thread); the file grows without waiting 100 ms.
    return eventually(
      () => {
        expect(readFileSync(join(dir, 'log'), 'utf8').length).to.be.greaterThan(8192);
      },
      { timeoutMs: 90 },
    );
  });

  it('writes what is still buffered when the process exits, also through process.exit', () => {
    const script = [
      "import { createLogger } from './src/runtime/logger.ts';",
      "const log = createLogger({ level: 'info', format: 'json' });",
      "for (let i = 0; i < 3; i++) log.info('last words', { i });",
      'process.exit(3);',
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(child.status, child.stderr).to.equal(3);
    const written = child.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.map((l) => `${String(l['message'])} ${String(l['i'])}`)).to.deep.equal([
      'last words 0',
      'last words 1',
      'last words 2',
    ]);
  });
});
