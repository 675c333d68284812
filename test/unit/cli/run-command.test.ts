import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `policyjobwatch run <args>` from the sources, as far as it gets; its exit code and JSON logs. */
function run(args: string[]): {
  status: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
} {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'run', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, POLICYJOBWATCH_HEAP_FLAGS: 'off' },
      timeout: 30_000,
    },
  );
  const lines = child.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: child.status, lines, stderr: child.stderr };
}

describe('policyjobwatch run: failing to start', function () {
  this.timeout(40_000);

  it('says why in one error line and exits 1 when the kubeconfig cannot be read', () => {
    const r = run([
      '--kubeconfig',
      '/nonexistent/kubeconfig',
      '--metrics-bind-address',
      '0',
      '--health-probe-bind-address',
      '0',
    ]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.lines.at(-1)).to.include({ level: 'error', message: 'cannot start' });
    expect(String(r.lines.at(-1)?.['error'])).to.include('/nonexistent/kubeconfig');
    expect(r.stderr, 'no stack trace').to.not.match(/^\s+at /m);
  });

  it('says why in one error line and exits 1 when its health port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dir = await mkdtemp(join(tmpdir(), 'run-command-'));
    // A kubeconfig that loads; nothing listens on its server (the ports come first).
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    try {
      const r = run([
        '--kubeconfig',
        kubeconfig,
        '--metrics-bind-address',
        '0',
        '--health-probe-bind-address',
        `127.0.0.1:${String(port)}`,
      ]);
      expect(r.status, r.stderr).to.equal(1);
      expect(r.lines.at(-1)).to.include({ level: 'error', message: 'cannot start' });
      expect(String(r.lines.at(-1)?.['error'])).to.include('EADDRINUSE');
    } finally {
      taken.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
