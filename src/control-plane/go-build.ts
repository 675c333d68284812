import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
/** Where the machine's Go lives when it is not on PATH. */
const GO_BIN = '/usr/local/go/bin';

/** ~/.cache/policyjobwatch (or $XDG_CACHE_HOME/policyjobwatch, or $POLICYJOBWATCH_CACHE_DIR). */
export function policyjobwatchCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.POLICYJOBWATCH_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'policyjobwatch')
  );
}

/**
 * Static binaries, and never let the go command fetch another toolchain; `go` from PATH, else
 * from /usr/local/go/bin (where the machine's Go often is, off PATH).
 */
export function goEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = env.PATH ?? '';
  const withGo =
    existsSync(GO_BIN) && !path.split(delimiter).includes(GO_BIN)
      ? `${path}${delimiter}${GO_BIN}`
      : path;
  return { ...env, PATH: withGo, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' };
}

/** The Go release that builds, e.g. "go1.26.0". */
export async function goVersion(): Promise<string> {
  const { stdout } = await execFileAsync('go', ['env', 'GOVERSION'], { env: goEnv() });
  return stdout.trim();
}

/**
 * A hash of a Go module's sources (its go.mod, go.sum and every .go file, its packages
 * included: paths and contents) and of `goRelease`: a change of either gives a new binary.
 */
export async function goSourceHash(moduleDir: string, goRelease: string): Promise<string> {
  const files = (await readdir(moduleDir, { recursive: true }))
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(moduleDir, file)));
  }
  hash.update(goRelease);
  return hash.digest('hex').slice(0, 16);
}

/**
 * `go build -trimpath -o DIR/NAME PKG` in `moduleDir`, unless DIR already holds NAME (the
 * per-machine cache: DIR is named by goSourceHash). Builds beside the target, then renames: a
 * concurrent run never sees half a binary.
 */
export async function buildGoBinary(o: {
  moduleDir: string;
  pkg: string;
  dir: string;
  name: string;
  log: (line: string) => void;
}): Promise<string> {
  const binary = join(o.dir, o.name);
  if (await isExecutable(binary)) return binary;
  await mkdir(o.dir, { recursive: true });
  const tmp = `${binary}.tmp-${String(process.pid)}`;
  const started = Date.now();
  o.log(`building ${o.pkg} (${o.moduleDir}) into ${o.dir}...`);
  try {
    await runGo(['build', '-trimpath', '-o', tmp, o.pkg], o.moduleDir);
    await rename(tmp, binary);
  } finally {
    await rm(tmp, { force: true });
  }
  o.log(`built ${o.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return binary;
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs `go ARGS` in `cwd`; on failure the error carries the end of go's output. */
export function runGo(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer): void => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => {
      reject(new Error(`cannot run go (is Go installed and on PATH?): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const how = signal ?? `exit ${String(code)}`;
        reject(new Error(`go ${args.join(' ')} in ${cwd} failed (${how}):\n${tail}`));
      }
    });
  });
}
