import { expect } from 'chai';
import { DEFAULT_HEAP_FLAGS, missingHeapFlags } from '../../../src/cli/heap-flags.js';

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
  });
});
