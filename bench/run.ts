// The operator benchmark: a real kube-apiserver, the UCS simulator and the operator, each in its
// own process. Run: npm run bench [-- --scale 0.1] [--max-concurrent-reconciles 16] (--help)
// Prints a table of figures next to their limits and writes JSON to bench/results/.
// bench/README.md says what each figure means and how it is measured; the phases are in
// lib/phases.ts, the figures in lib/report.ts. --against-go runs lib/against-go.ts instead.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, runAgainstGo } from './lib/against-go.js';
import { CREDENTIALS_SECRET, startBenchCluster } from './lib/cluster.js';
import {
  baselinePhase,
  createLResources,
  idlePhase,
  lPhase,
  selectorPhase,
  sPhase,
  type Say,
} from './lib/phases.js';
import { operatorBundle } from '../harness/operator-bundle.js';
import { REPO_ROOT } from '../harness/operator-process.js';
import { devCliEntry, startScenarioSimulator } from './lib/processes.js';
import { formatTable, reportL, reportS, reportSelector } from './lib/report.js';
import { SELECTOR_KIND, scenarioLJobIds, scenarioS, simScenario } from './lib/scenario.js';
import {
  UCS_FLAGS,
  USAGE,
  operatorEnvironment,
  operatorNodeFlags,
  environmentText,
  parseBenchArgs,
  recordedSettings,
  runRecord,
  writeResults,
  type BenchSettings,
} from './lib/settings.js';
import { tsLauncher } from './lib/ts-operator.js';

const NS = {
  idle: 'bench-idle',
  s: 'bench-s',
  l: 'bench-l',
  base: 'bench-base',
  sel: 'bench-sel',
};

async function main(settings: BenchSettings, started: number, say: Say): Promise<void> {
  // Built (when stale) before any phase, so that no phase's start-up time holds a build.
  const operatorEntry = `${operatorBundle()} (the bundle)`;
  const runDir = await mkdtemp(join(tmpdir(), 'policyjobwatch-bench-'));
  const machine = { ...describeMachine(), operatorEntry };
  say(
    `scale ${settings.scale}: S ${settings.sResources} resources, L ${settings.lResources}, selector ${settings.selectorResources}; logs in ${runDir}`,
  );
  say(`operator runs ${operatorEntry}; simulator ${devCliEntry().why}`);
  const profileDir = join(runDir, 'profile');
  // The operator runs with the Node options its Deployment sets (the heap size it ships with),
  // unless --node-options says otherwise.
  const operatorNodeOptions = await operatorNodeFlags(settings, REPO_ROOT);
  const operatorEnv = await operatorEnvironment(REPO_ROOT);
  say(
    `operator Node options, ${settings.nodeOptions ? 'from --node-options' : 'from manifests/base/deployment.yaml'}: ${operatorNodeOptions.join(' ')}; environment from manifests/base/deployment.yaml: ${environmentText(operatorEnv)}`,
  );
  const nodeFlags = [
    ...operatorNodeOptions,
    ...(settings.profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          '--heapsnapshot-signal=SIGUSR2',
          `--diagnostic-dir=${profileDir}`,
        ]
      : []),
  ];
  if (settings.profile) {
    await mkdir(profileDir, { recursive: true });
    say(`profiling: CPU profiles and heap snapshots in ${profileDir}`);
  }

  const s = scenarioS(settings.sResources, settings.windowMs);
  const lJobs = scenarioLJobIds(settings.lResources);
  let sim: Awaited<ReturnType<typeof startScenarioSimulator>> | undefined;
  let env: Awaited<ReturnType<typeof startBenchCluster>> | undefined;
  try {
    sim = await startScenarioSimulator(runDir, simScenario(s, lJobs));
    say(`ucs-sim at ${sim.url}: ${s.jobs.length + lJobs.length} jobs`);
    env = await startBenchCluster(settings, sim.url, Object.values(NS), say);
    const { cp } = env;
    const launch = await tsLauncher({
      nodeFlags,
      env: operatorEnv,
      kubeconfig: cp.kubeconfigPath,
      simUrl: sim.url,
      credentialsSecret: CREDENTIALS_SECRET,
      settings,
      runDir,
      profileDir,
      say,
    });

    const idle = await idlePhase(env, launch, NS.idle);
    const sReport = reportS(s, await sPhase(env, launch, s, NS.s), idle, settings.pollMs);
    const { baseNames } = await createLResources(env, lJobs, NS);
    const l = await lPhase(env, launch, NS.l, settings.lResources);
    const baselineSeconds = await baselinePhase(env, NS.base, baseNames, l.sampleStatus);
    const lReport = reportL(
      { ...l, resources: settings.lResources, baselineSeconds, concurrency: settings.concurrency },
      idle,
    );
    const selReport = reportSelector(
      await selectorPhase(env, launch, NS.sel, settings.selectorResources, SELECTOR_KIND),
      settings.pollMs,
    );

    await sim.run.stop();
    sim = undefined;
    const result = {
      ...runRecord(settings, started),
      settings: {
        ...recordedSettings(settings),
        selectorResources: settings.selectorResources,
        ucsQps: Number(UCS_FLAGS.qps),
        ucsBurst: Number(UCS_FLAGS.burst),
        ucsMaxInFlight: Number(UCS_FLAGS.maxInFlight),
        createConcurrency: settings.createConcurrency,
        operatorNodeOptions: operatorNodeOptions.join(' '),
        operatorEnvironment: environmentText(operatorEnv),
      },
      machine: { ...machine, controlPlane: cp.describe() },
      figures: [...sReport.figures, ...lReport.figures, ...selReport.figures],
      details: {
        S: sReport.details,
        L: lReport.details,
        selector: selReport.details,
        idleOperator: idle,
      },
    };
    process.stdout.write(formatTable(result.figures, result.settings, machine));
    const file = await writeResults(REPO_ROOT, 'bench', settings, started, result);
    say(`wrote ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s total`);
  } finally {
    await sim?.run.stop();
    await env?.cp.stop();
  }
}

const started = Date.now();
const say: Say = (line) => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
};
try {
  const settings = parseBenchArgs(process.argv.slice(2));
  if (settings === undefined) process.stdout.write(USAGE);
  else if (settings.againstGo) await runAgainstGo(settings, started, say);
  else await main(settings, started, say);
} catch (err: unknown) {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
