// The production bundle: `policyjobwatch` (src/cli/main.ts) and every module it imports,
// dependencies included, in one ES module, dist/policyjobwatch.mjs, with its source map. It
// loads only the code the operator uses (client-node's generated API and model files are most
// of node_modules' source and mostly unused), so the process starts faster and keeps less
// source and compiled code in its heap. `npm run build` runs it; the image, the package's `bin`,
// the bench and the fault tests run the bundle. `npx tsx scripts/bundle.ts` builds it alone.
import { buildSync, type BuildOptions } from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The bundle, relative to the repository (it reads ../package.json for --version). */
export const BUNDLE = 'dist/policyjobwatch.mjs';
export const BUNDLE_PATH = join(ROOT, BUNDLE);

const OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts'],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  target: 'node22.19',
  format: 'esm',
  // Whitespace and syntax only: identifiers keep their names, so that stack traces name the
  // functions without source maps. Turning source maps on costs 13-20 MiB of RSS at start-up
  // (Node parses the map eagerly), so it is for debugging: NODE_OPTIONS=--enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Stack traces need the mappings only; leaving the sources out keeps the map small.
  sourcesContent: false,
  // Some dependencies are CommonJS and `require` Node's built-ins: give the ES module a require.
  banner: {
    js: "import { createRequire as __pjwCreateRequire } from 'node:module'; const require = __pjwCreateRequire(import.meta.url);",
  },
  // Licence comments go to dist/policyjobwatch.mjs.LEGAL.txt (shipped next to the bundle), not
  // into it: the bundle stays ASCII, and V8 keeps its source as a one-byte string. One non-ASCII
  // character (a name in one of them) made all 4.7 MB two-byte: 9 MiB of heap instead of 4.5.
  legalComments: 'linked',
  logLevel: 'warning',
};

/** Builds dist/policyjobwatch.mjs (and .map); returns its size in bytes. */
export function bundle(): number {
  buildSync(OPTIONS);
  return statSync(BUNDLE_PATH).size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = bundle();
  process.stdout.write(`${BUNDLE}: ${(bytes / 2 ** 20).toFixed(1)} MiB\n`);
}
