import { expect } from 'chai';
import { join } from 'node:path';
import {
  DEFAULT_HEAP_FLAGS,
  DEFAULT_MALLOC_ARENA_MAX,
  missingHeapFlags,
  reexecEnv,
} from '../../../src/cli/heap-flags.js';

describe('missingHeapFlags', () => {
  const cases: { name: string; execArgv: string[]; env: Record<string, string>; want: string[] }[] =
    [
      {
        name: 'no flags: the Deployment defaults',
        execArgv: [],
        env: {},
        want: DEFAULT_HEAP_FLAGS,
      },
      {
        name: 'unrelated NODE_OPTIONS',
        execArgv: [],
        env: { NODE_OPTIONS: '--enable-source-maps' },
        want: DEFAULT_HEAP_FLAGS,
      },
      { name: 'unrelated execArgv', execArgv: ['--inspect'], env: {}, want: DEFAULT_HEAP_FLAGS },
      {
        name: 'old space in NODE_OPTIONS',
        execArgv: [],
        env: { NODE_OPTIONS: '--max-old-space-size=1024' },
        want: [],
      },
      {
        name: 'semi space on the command line',
        execArgv: ['--max-semi-space-size=4'],
        env: {},
        want: [],
      },
      { name: 'underscore spelling', execArgv: ['--max_old_space_size=512'], env: {}, want: [] },
      { name: 'already re-executed', execArgv: [...DEFAULT_HEAP_FLAGS], env: {}, want: [] },
      { name: 'turned off', execArgv: [], env: { POLICYJOBWATCH_HEAP_FLAGS: 'off' }, want: [] },
    ];
  for (const c of cases) {
    it(c.name, () => {
      expect(missingHeapFlags(c.execArgv, c.env)).to.deep.equal(c.want);
    });
  }

  it('sizes the heap like the Deployment', async () => {
    const { readFile } = await import('node:fs/promises');
    const yaml = await readFile(
      new URL('../../../manifests/base/deployment.yaml', import.meta.url),
      'utf8',
    );
    const value = /name: NODE_OPTIONS\s+value: (.*)/.exec(yaml)?.[1];
    expect(value?.trim().split(/\s+/)).to.deep.equal(DEFAULT_HEAP_FLAGS);
    const arenas = /name: MALLOC_ARENA_MAX\s+value: ['"]?(\d+)/.exec(yaml)?.[1];
    expect(arenas).to.equal(DEFAULT_MALLOC_ARENA_MAX);
  });
});

describe('reexecEnv', () => {
  const TMP = join('/', 'var', 'tmp-x');

  it('adds a compile cache in the temporary folder and two malloc arenas when none are set', () => {
    expect(reexecEnv({ HOME: '/home/u' }, TMP)).to.deep.equal({
      HOME: '/home/u',
      NODE_COMPILE_CACHE: join(TMP, 'node-compile-cache'),
      MALLOC_ARENA_MAX: '2',
    });
  });

  it("keeps the user's compile cache and malloc arenas", () => {
    expect(reexecEnv({ NODE_COMPILE_CACHE: '/cache', MALLOC_ARENA_MAX: '8' }, TMP)).to.deep.equal({
      NODE_COMPILE_CACHE: '/cache',
      MALLOC_ARENA_MAX: '8',
    });
  });

  it('keeps an empty NODE_COMPILE_CACHE (Node reads it as no cache)', () => {
    expect(reexecEnv({ NODE_COMPILE_CACHE: '' }, TMP)).to.deep.equal({
      NODE_COMPILE_CACHE: '',
      MALLOC_ARENA_MAX: '2',
    });
  });

  it('changes nothing with POLICYJOBWATCH_HEAP_FLAGS=off', () => {
    const env = { POLICYJOBWATCH_HEAP_FLAGS: 'off' };
    expect(reexecEnv(env, TMP)).to.deep.equal(env);
  });

  it('returns a copy: the environment given is left as it was', () => {
    const env: Record<string, string> = { PATH: '/bin' };
    reexecEnv(env, TMP);
    expect(env).to.deep.equal({ PATH: '/bin' });
  });
});
