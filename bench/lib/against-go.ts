// `npm run bench -- --against-go`: the TypeScript operator and the controller-runtime baseline
// on the same work, one after the other, each on a fresh apiserver + etcd, against one UCS
// simulator in token mode, with the same poll interval and concurrency: scenarios S and L.
// Prints one table (each figure as TS, Go and TS/Go) and writes JSON to bench/results/.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CREDENTIALS_SECRET, startBenchCluster } from './cluster.js';
import {
  compareRows,
  formatCompareTable,
  sStatusTimes,
  type ScenarioRun,
} from './compare-report.js';
import { buildGoBaseline, findGoBaseline, goLauncher } from './go-baseline.js';
import { measuringLauncher, type MeasuredLauncher, type ProcessRun } from './measured-operator.js';
import { createResources, lPhase, sPhase, type BenchCluster, type Say } from './phases.js';
import { operatorBundle } from '../../harness/operator-bundle.js';
import { REPO_ROOT } from '../../harness/operator-process.js';
import { startScenarioSimulator } from './processes.js';
import { changes, scenarioLJobIds, scenarioS, simScenario } from './scenario.js';
import {
  operatorEnvironment,
  operatorNodeFlags,
  environmentText,
  recordedSettings,
  runRecord,
  writeResults,
  type BenchSettings,
} from './settings.js';
import { tsLauncher } from './ts-operator.js';

const NS = { s: 'bench-s', l: 'bench-l' };
type Impl = 'TS' | 'Go';

/** The machine, for the record of a run. */
export function describeMachine(): Record<string, unknown> {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
}

export async function runAgainstGo(
  settings: BenchSettings,
  started: number,
  say: Say,
): Promise<void> {
  const runDir = await mkdtemp(join(tmpdir(), 'policyjobwatch-bench-go-'));
  const source = settings.goSource ?? findGoBaseline(REPO_ROOT);
  const { binary, go: goRelease } = await buildGoBaseline(source, say);
  // Built (when stale) before any phase, so that no phase's start-up time holds a build.
  const bundle = operatorBundle();
  const nodeFlags = await operatorNodeFlags(settings, REPO_ROOT);
  const operatorEnv = await operatorEnvironment(REPO_ROOT);
  say(
    `against Go, scale ${settings.scale}: S ${settings.sResources} resources, L ${settings.lResources}; logs in ${runDir}`,
  );
  say(
    `TS operator: ${bundle} (the bundle), Node options ${nodeFlags.join(' ')}, environment ${environmentText(operatorEnv)}; Go: ${binary}`,
  );

  const s = scenarioS(settings.sResources, settings.windowMs);
  const lJobs = scenarioLJobIds(settings.lResources);
  const finalProgress = new Map(s.jobs.map((j) => [j.id, changes(j).at(-1)?.m ?? 0]));
  const sim = await startScenarioSimulator(runDir, simScenario(s, lJobs));
  try {
    const launchers: Record<
      Impl,
      (env: BenchCluster) => MeasuredLauncher | Promise<MeasuredLauncher>
    > = {
      TS: (env) =>
        tsLauncher({
          nodeFlags,
          env: operatorEnv,
          kubeconfig: env.cp.kubeconfigPath,
          simUrl: sim.url,
          credentialsSecret: CREDENTIALS_SECRET,
          settings,
          runDir: join(runDir, 'ts'),
          profileDir: join(runDir, 'profile'),
          say,
        }),
      Go: (env) =>
        goLauncher({
          binary,
          kubeconfig: env.cp.kubeconfigPath,
          simUrl: sim.url,
          credentialsSecret: CREDENTIALS_SECRET,
          pollMs: settings.pollMs,
          concurrency: settings.concurrency,
          logFile: (phase) => join(runDir, 'go', `operator-${phase.toLowerCase()}.log`),
        }),
    };
    const runs: Partial<Record<Impl, { S: ScenarioRun; L: ScenarioRun }>> = {};
    for (const impl of ['TS', 'Go'] as const) {
      await mkdir(join(runDir, impl.toLowerCase()), { recursive: true });
      const env = await startBenchCluster(settings, sim.url, Object.values(NS), say);
      try {
        const { launch, runs: processRuns } = measuringLauncher(
          await launchers[impl](env),
          env.cp,
          sim.url,
        );
        say(`${impl}: scenario S`);
        const sm = await sPhase(env, launch, s, NS.s);
        const sRun = scenarioRun(
          processRuns.get('S'),
          s.resources.size,
          sStatusTimes(sm.watch, s, finalProgress),
        );
        const t = Date.now();
        await createResources(
          env,
          NS.l,
          lJobs.map((id, i) => [`l-${String(i).padStart(5, '0')}`, [id]]),
        );
        say(
          `${impl}: created ${lJobs.length} L resources in ${((Date.now() - t) / 1000).toFixed(1)} s`,
        );
        const l = await lPhase(env, launch, NS.l, settings.lResources);
        const lProcess = processRuns.get('L');
        // L's jobs are terminal from the start: the first status is the final state.
        const at =
          l.withStatus === settings.lResources && lProcess
            ? lProcess.launchedAt + l.seconds * 1000
            : undefined;
        runs[impl] = {
          S: sRun,
          L: scenarioRun(lProcess, settings.lResources, { everyStatusAt: at, everyFinalAt: at }),
        };
      } finally {
        await env.cp.stop();
      }
    }
    const { TS: ts, Go: go } = runs;
    if (!ts || !go) throw new Error('a run is missing');
    const scenarios = [
      { name: 'S', rows: compareRows(ts.S, go.S) },
      { name: 'L', rows: compareRows(ts.L, go.L) },
    ];
    const result = {
      ...runRecord(settings, started),
      settings: {
        ...recordedSettings(settings),
        tsOperator: `${bundle} (the bundle)`,
        tsNodeOptions: nodeFlags.join(' '),
        tsEnvironment: environmentText(operatorEnv),
        goBaseline: binary,
      },
      machine: { ...describeMachine(), go: goRelease },
      scenarios,
      // Every reading and counter of each operator process, from which the table was computed.
      runs,
    };
    process.stdout.write(
      `\nsettings: ${JSON.stringify(result.settings)}\nmachine: ${JSON.stringify(result.machine)}\n\n${formatCompareTable(scenarios)}`,
    );
    const file = await writeResults(REPO_ROOT, 'against-go', settings, started, result);
    say(`wrote ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s total`);
  } finally {
    await sim.run.stop();
  }
}

function scenarioRun(
  run: ProcessRun | undefined,
  resources: number,
  times: { everyStatusAt: number | undefined; everyFinalAt: number | undefined },
): ScenarioRun {
  if (!run) throw new Error('the phase started no operator');
  return { ...run, resources, ...times };
}
