import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { goEnv, goSourceHash } from '../../../src/control-plane/go-build.js';

describe('Go builds: the cache key and the environment', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pjw-go-src-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes the Go sources (paths and contents) and the Go release, nothing else', async () => {
    await mkdir(join(dir, 'internal'));
    await writeFile(join(dir, 'go.mod'), 'module x\n');
    await writeFile(join(dir, 'internal', 'a.go'), 'package a\n');
    const first = await goSourceHash(dir, 'go1.26.0');
    expect(first).to.match(/^[0-9a-f]{16}$/);
    expect(await goSourceHash(dir, 'go1.26.0')).to.equal(first);
    expect(await goSourceHash(dir, 'go1.26.1')).to.not.equal(first);
    await writeFile(join(dir, 'README.md'), 'not a source\n');
    expect(await goSourceHash(dir, 'go1.26.0')).to.equal(first);
    await writeFile(join(dir, 'internal', 'a.go'), 'package b\n');
    const second = await goSourceHash(dir, 'go1.26.0');
    expect(second).to.not.equal(first);
    await rm(join(dir, 'internal', 'a.go'));
    await writeFile(join(dir, 'internal', 'b.go'), 'package b\n');
    expect(await goSourceHash(dir, 'go1.26.0')).to.not.equal(second);
  });

  it('builds static binaries with the local toolchain, and keeps PATH', () => {
    const env = goEnv({ PATH: `/bin${delimiter}/usr/local/go/bin`, HOME: '/h' });
    expect(env).to.include({ CGO_ENABLED: '0', GOTOOLCHAIN: 'local', HOME: '/h' });
    expect(env.PATH).to.equal(`/bin${delimiter}/usr/local/go/bin`);
    expect(goEnv({ PATH: '/bin' }).PATH?.startsWith('/bin')).to.equal(true);
  });
});
