import { expect } from 'chai';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentText,
  nodeOptionsOfDeployment,
  operatorEnvironment,
} from '../../../bench/lib/settings.js';
import { REPO_ROOT } from '../../../harness/operator-process.js';

describe("the bench runs the TS operator with the Deployment's environment", () => {
  it('takes NODE_OPTIONS as flags and the other literal values as environment', async () => {
    expect(await nodeOptionsOfDeployment(REPO_ROOT)).to.deep.equal([
      '--max-old-space-size=256',
      '--max-semi-space-size=8',
    ]);
    expect(await operatorEnvironment(REPO_ROOT)).to.deep.equal({ MALLOC_ARENA_MAX: '2' });
  });

  it('leaves out values from fields and other kinds', async () => {
    const root = await mkdtemp(join(tmpdir(), 'bench-env-'));
    await mkdir(join(root, 'manifests', 'base'), { recursive: true });
    await writeFile(
      join(root, 'manifests', 'base', 'deployment.yaml'),
      [
        'kind: ConfigMap',
        'data: { A: b }',
        '---',
        'kind: Deployment',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - env:',
        '            - name: POD_NAMESPACE',
        '              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }',
        '            - name: NODE_OPTIONS',
        '              value: --max-old-space-size=64',
        '            - name: ARENAS',
        '              value: 4',
      ].join('\n'),
    );
    expect(await nodeOptionsOfDeployment(root)).to.deep.equal(['--max-old-space-size=64']);
    expect(await operatorEnvironment(root)).to.deep.equal({ ARENAS: '4' });
  });

  it('writes the environment as NAME=value pairs', () => {
    expect(environmentText({ A: '1', B: 'x' })).to.equal('A=1 B=x');
    expect(environmentText({})).to.equal('none');
  });
});
