// Heap sizing for `policyjobwatch run` started without the Deployment's NODE_OPTIONS (outside the
// image, as a user tries it first). V8 sizes its heap when the process starts, so
// v8.setFlagsFromString is too late for these flags: the operator re-executes itself in place
// (process.execve, no second process) with the flags the Deployment sets, unless the user chose
// their own heap flags (command line or NODE_OPTIONS) or POLICYJOBWATCH_HEAP_FLAGS=off.
// The re-executed process also gets Node's module compile cache (NODE_COMPILE_CACHE, as the image
// sets it) in the OS temporary folder unless the user chose one: from the second start on, V8
// reads the bundle's code cache instead of compiling it (less start-up CPU, about 12 MiB less
// RSS; bench/README.md has the figures), and glibc's malloc capped at two arenas as the Deployment
// caps it (MALLOC_ARENA_MAX, read by glibc when the process starts).
import { join } from 'node:path';
import { tmpdir as osTmpdir } from 'node:os';

/** The Deployment's heap flags (manifests/base/deployment.yaml, NODE_OPTIONS). */
export const DEFAULT_HEAP_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=8'];

/**
 * The Deployment's MALLOC_ARENA_MAX. glibc's malloc gives each thread that allocates an arena of
 * its own (up to 8 per core: V8's garbage-collector helpers, libuv's pool), and each keeps pages
 * it freed; the operator runs its code on one thread, so two arenas are enough (about 8 MiB
 * less RSS, bench/README.md, runs I-J).
 */
export const DEFAULT_MALLOC_ARENA_MAX = '2';

/** The V8 heap flags the process is missing: empty when the user set any of their own. */
export function missingHeapFlags(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  if (env['POLICYJOBWATCH_HEAP_FLAGS'] === 'off') return [];
  const given = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  const named = (flag: string): string =>
    (flag.replace(/^--/, '').split('=')[0] ?? '').replace(/_/g, '-');
  const chosen = new Set(given.filter((f) => f.startsWith('--')).map(named));
  if (DEFAULT_HEAP_FLAGS.some((flag) => chosen.has(named(flag)))) return [];
  return [...DEFAULT_HEAP_FLAGS];
}

/**
 * The environment of the re-executed process: `env` with NODE_COMPILE_CACHE in `tmpdir` and
 * MALLOC_ARENA_MAX of the Deployment, each where the user has not set it (an empty value counts
 * as set); unchanged with POLICYJOBWATCH_HEAP_FLAGS=off (no re-execution then).
 */
export function reexecEnv(
  env: Readonly<Record<string, string | undefined>>,
  tmpdir: string,
): Record<string, string | undefined> {
  if (env['POLICYJOBWATCH_HEAP_FLAGS'] === 'off') return { ...env };
  return {
    ...env,
    NODE_COMPILE_CACHE: env['NODE_COMPILE_CACHE'] ?? join(tmpdir, 'node-compile-cache'),
    MALLOC_ARENA_MAX: env['MALLOC_ARENA_MAX'] ?? DEFAULT_MALLOC_ARENA_MAX,
  };
}

/**
 * Re-executes this process with the default heap flags when `run` is started without them.
 * Returns (without re-executing) where process.execve is missing (Windows, older Node).
 */
export function sizeHeap(argv: readonly string[] = process.argv): void {
  if (argv[2] !== 'run') return;
  const flags = missingHeapFlags(process.execArgv, process.env);
  if (flags.length === 0 || typeof process.execve !== 'function') return;
  process.execve(
    process.execPath,
    [process.execPath, ...flags, ...process.execArgv, ...argv.slice(1)],
    reexecEnv(process.env, osTmpdir()),
  );
}
