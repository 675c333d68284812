import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
/** The rules `npm run lint` enforces. */
const config = require('../../../.dependency-cruiser.cjs') as {
  forbidden: unknown[];
};

/** Cruises a small tree of files with the project's rules; returns the rules broken. */
async function brokenRules(files: Record<string, string>): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'pjw-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const result = await cruise(['src'], {
      baseDir: root,
      ruleSet: { forbidden: config.forbidden } as never,
      validate: true,
      tsPreCompilationDeps: true,
    });
    const output = result.output as ICruiseResult;
    return [...new Set(output.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('the layers (.dependency-cruiser.cjs, run by npm run lint)', () => {
  it('accepts imports that follow the layers', async () => {
    expect(
      await brokenRules({
        'src/api/index.ts': 'export const A = 1;\n',
        'src/ucs/index.ts': "import { A } from '../api/index.js';\nexport const U = A;\n",
        'src/controller/reconciler.ts':
          "import { U } from '../ucs/index.js';\nexport const C = U;\n",
        'src/kube/writer.ts':
          "import { C } from '../controller/reconciler.js';\nexport const K = C;\n",
        'src/runtime/operator.ts': "import { K } from '../kube/writer.js';\nexport const R = K;\n",
      }),
    ).to.deep.equal([]);
  });

  const cases: [string, Record<string, string>, string][] = [
    [
      'controller/ importing kube/',
      {
        'src/kube/errors.ts': 'export const E = 1;\n',
        'src/controller/reconciler.ts':
          "import { E } from '../kube/errors.js';\nexport const C = E;\n",
      },
      'controller-imports-only-api-and-ucs',
    ],
    [
      'controller/ importing runtime/',
      {
        'src/runtime/logger.ts': 'export const L = 1;\n',
        'src/controller/controller.ts':
          "import { L } from '../runtime/logger.js';\nexport const C = L;\n",
      },
      'controller-imports-only-api-and-ucs',
    ],
    [
      'api/ importing ucs/',
      {
        'src/ucs/index.ts': 'export const U = 1;\n',
        'src/api/spec.ts': "import { U } from '../ucs/index.js';\nexport const A = U;\n",
      },
      'api-imports-nothing-of-ours',
    ],
    [
      'ucs/ importing controller/',
      {
        'src/controller/x.ts': 'export const X = 1;\n',
        'src/ucs/client.ts': "import { X } from '../controller/x.js';\nexport const U = X;\n",
      },
      'ucs-imports-only-api',
    ],
    [
      'the operator importing a dev tool',
      {
        'src/ucs-sim/index.ts': 'export const S = 1;\n',
        'src/runtime/operator.ts':
          "import { S } from '../ucs-sim/index.js';\nexport const R = S;\n",
      },
      'production-code-imports-no-dev-tools',
    ],
    [
      'a cycle',
      {
        'src/ucs-sim/a.ts': "import { B } from './b.js';\nexport const A = () => B;\n",
        'src/ucs-sim/b.ts': "import { A } from './a.js';\nexport const B = () => A;\n",
      },
      'no-circular',
    ],
  ];
  for (const [name, files, rule] of cases) {
    it(`fails ${name} (${rule})`, async () => {
      expect(await brokenRules(files)).to.include(rule);
    });
  }
});

describe('the folders of src/ say what they are', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const whereTheCodeLives = readme.slice(readme.indexOf('### Where the code lives'));

  it('finds the folders', () => {
    expect(folders).to.include.members(['api', 'controller', 'kube', 'runtime', 'ucs']);
  });
  for (const folder of folders) {
    it(`src/${folder} opens with a README saying what it owns and what it may import, and README.md names it`, () => {
      const text = readFileSync(join(root, 'src', folder, 'README.md'), 'utf8');
      expect(text, `src/${folder}/README.md`).to.match(new RegExp(`^# src/${folder}: \\S`));
      expect(text, `src/${folder}/README.md`).to.match(/^May import: \S/m);
      expect(whereTheCodeLives, "README.md's 'Where the code lives'").to.include(
        `\`src/${folder}\``,
      );
    });
  }
});
