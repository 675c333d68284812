import { readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '../../harness/eventually.js';
import { newestMtime } from '../../harness/operator-bundle.js';
import { NodeProcess, REPO_ROOT } from '../../harness/operator-process.js';
import { TOKEN } from './cluster.js';
import { SIM_LATENCY } from './settings.js';

/**
 * How to start `policyjobwatch-dev` (`dev-cli`, the simulator): the built JS when it is newer
 * than every source, else tsx. (The operator always runs from the production bundle:
 * `OperatorProcess` in harness/operator-process.ts.)
 */
export function devCliEntry(): { args: string[]; built: boolean; why: string } {
  const built = join(REPO_ROOT, 'dist', 'dev-cli', 'main.js');
  const source = join(REPO_ROOT, 'src', 'dev-cli', 'main.ts');
  const tsx = (reason: string) => ({
    args: ['--import', 'tsx', source],
    built: false,
    why: `src/dev-cli/main.ts through tsx: ${reason} (run \`npm run build\` first)`,
  });
  try {
    if (statSync(built).mtimeMs >= newestMtime(join(REPO_ROOT, 'src')))
      return { args: [built], built: true, why: 'dist/dev-cli/main.js (built JS)' };
    return tsx('dist/ is older than src/');
  } catch {
    return tsx('no dist/');
  }
}

/** `policyjobwatch-dev ucs-sim` in its own process; resolves once it listens. */
export async function startSimulator(
  flags: string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ run: NodeProcess; url: string }> {
  const run = new NodeProcess({
    name: 'ucs-sim',
    args: [...devCliEntry().args, 'ucs-sim', ...flags],
    logFile,
    env,
  });
  const match = await run.waitForLine(/ucs-sim listening on (\S+)/, 60_000);
  return { run, url: match[1] ?? '' };
}

/**
 * The bench's simulator: `scenario` written to `runDir`/scenario.json, served with the bench's
 * latency and token, its log in `runDir`/ucs-sim.log.
 */
export async function startScenarioSimulator(
  runDir: string,
  scenario: unknown,
): Promise<{ run: NodeProcess; url: string }> {
  const scenarioFile = join(runDir, 'scenario.json');
  await writeFile(scenarioFile, JSON.stringify(scenario));
  return startSimulator(
    ['--latency', SIM_LATENCY, '--scenario', scenarioFile],
    join(runDir, 'ucs-sim.log'),
    { UCS_SIM_TOKEN: TOKEN },
  );
}

/**
 * Asks a process started with `--heapsnapshot-signal=SIGUSR2` for a heap snapshot and waits
 * until Node has written it to `dir` (the file appears once it is complete).
 */
export async function takeHeapSnapshot(
  run: NodeProcess,
  dir: string,
  timeoutMs = 120_000,
): Promise<string> {
  const before = new Set(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')));
  run.kill('SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fresh = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (fresh !== undefined) {
      // Node writes the snapshot in one go; wait until its size stops changing.
      let size = -1;
      for (;;) {
        await sleep(500);
        const now = statSync(join(dir, fresh)).size;
        if (now === size && now > 0) return join(dir, fresh);
        size = now;
      }
    }
    await sleep(200);
  }
  throw new Error(`${run.name}: no heap snapshot in ${dir} after ${timeoutMs} ms`);
}
