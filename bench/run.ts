// The operator benchmark: a real kube-apiserver, the UCS simulator and the operator, each in its
// own process. Run: npm run bench [-- --scale 0.1] [--max-concurrent-reconciles 16] (--help)
// Prints a table of figures next to their limits and writes JSON to bench/results/.
// bench/README.md says what each figure means and how it is measured; the phases are in
// lib/phases.ts, the figures in lib/report.ts.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { LocalControlPlane } from '../src/control-plane/index.js';
import { PooledKubeConfig } from '../src/kube/pooled-kube-config.js';
import { installCrd } from '../harness/crd.js';
import {
  baselinePhase,
  createLResources,
  idlePhase,
  lPhase,
  selectorPhase,
  sPhase,
  type BenchCluster,
  type OperatorLauncher,
  type Say,
} from './lib/phases.js';
import { operatorBundle } from '../harness/operator-bundle.js';
import { OperatorProcess, REPO_ROOT, flagArgs } from '../harness/operator-process.js';
import { devCliEntry, startSimulator, takeHeapSnapshot } from './lib/processes.js';
import { formatTable, reportL, reportS, reportSelector } from './lib/report.js';
import { SELECTOR_KIND, scenarioLJobIds, scenarioS, simScenario } from './lib/scenario.js';
import {
  SIM_LATENCY,
  UCS_FLAGS,
  USAGE,
  nodeOptionsOfDeployment,
  parseBenchArgs,
  type BenchSettings,
} from './lib/settings.js';

const TOKEN = 'bench-token-0f3a9c1d';
const SECRET_NS = 'bench-system';
const NS = {
  idle: 'bench-idle',
  s: 'bench-s',
  l: 'bench-l',
  base: 'bench-base',
  sel: 'bench-sel',
};

async function main(settings: BenchSettings, started: number, say: Say): Promise<void> {
  // Built (when stale) before any phase, so that no phase's start-up time holds a build.
  operatorBundle();
  const operatorEntry = 'dist/policyjobwatch.mjs (the bundle)';
  const runDir = await mkdtemp(join(tmpdir(), 'policyjobwatch-bench-'));
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    operatorEntry,
  };
  say(
    `scale ${settings.scale}: S ${settings.sResources} resources, L ${settings.lResources}, selector ${settings.selectorResources}; logs in ${runDir}`,
  );
  say(`operator runs ${operatorEntry}; simulator ${devCliEntry().why}`);
  const profileDir = join(runDir, 'profile');
  // The operator runs with the Node options its Deployment sets (the heap size it ships with).
  const deploymentNodeOptions = await nodeOptionsOfDeployment(REPO_ROOT);
  say(
    `operator Node options, from manifests/base/deployment.yaml: ${deploymentNodeOptions.join(' ')}`,
  );
  const nodeFlags = [
    ...deploymentNodeOptions,
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

  const cp = await LocalControlPlane.start({ log: say });
  say(`control plane: ${cp.describe()}`);
  // The operator's own pooled client, so that the baseline pays no more per request than it.
  const kc = new PooledKubeConfig();
  kc.loadFromString(cp.kubeconfigYaml());
  const core = kc.makeApiClient(CoreV1Api);
  let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
  try {
    await installCrd(kc);
    for (const ns of [SECRET_NS, ...Object.values(NS)])
      await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedSecret({
      namespace: SECRET_NS,
      body: { metadata: { name: 'ucs-credentials' }, stringData: { token: TOKEN } },
    });

    const s = scenarioS(settings.sResources, settings.windowMs);
    const lJobs = scenarioLJobIds(settings.lResources);
    const scenarioFile = join(runDir, 'scenario.json');
    await writeFile(scenarioFile, JSON.stringify(simScenario(s, lJobs)));
    sim = await startSimulator(
      ['--latency', SIM_LATENCY, '--scenario', scenarioFile],
      join(runDir, 'ucs-sim.log'),
      { UCS_SIM_TOKEN: TOKEN },
    );
    say(`ucs-sim at ${sim.url}: ${s.jobs.length + lJobs.length} jobs`);
    const simUrl = sim.url;
    const env: BenchCluster = {
      settings,
      cp,
      kc,
      objects: kc.makeApiClient(CustomObjectsApi),
      simUrl,
      say,
    };

    // `policyjobwatch run` as users run it, one process a phase, its log in the run's folder.
    const launch: OperatorLauncher = async (phase, namespace) => {
      const operator = await OperatorProcess.start({
        args: flagArgs({
          kubeconfig: cp.kubeconfigPath,
          namespace,
          'ucs-endpoint': simUrl,
          // As users list theirs (the simulator is plain HTTP on loopback).
          'allowed-endpoints': simUrl,
          'credentials-secret': `${SECRET_NS}/ucs-credentials`,
          'poll-interval': `${settings.pollMs / 1000}s`,
          'max-concurrent-reconciles': String(settings.concurrency),
          'ucs-qps': UCS_FLAGS.qps,
          'ucs-burst': UCS_FLAGS.burst,
          'ucs-max-in-flight': UCS_FLAGS.maxInFlight,
        }),
        nodeFlags,
        logFile: join(runDir, `operator-${phase.toLowerCase()}.log`),
        keepLines: false,
      });
      try {
        await operator.ready({ probe: 'healthz', intervalMs: 50 });
      } catch (err) {
        await operator.stop();
        throw err;
      }
      return {
        metricsUrl: operator.metricsUrl,
        snapshot: async () => {
          if (!settings.profile) return;
          const file = await takeHeapSnapshot(operator, profileDir);
          say(`${phase}: heap snapshot ${file}`);
        },
        stop: () => operator.stop(),
      };
    };

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
      when: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      scale: settings.scale,
      settings: {
        sResources: settings.sResources,
        lResources: settings.lResources,
        selectorResources: settings.selectorResources,
        pollInterval: `${settings.pollMs / 1000}s`,
        jobWindow: `${settings.windowMs / 1000}s`,
        simLatency: SIM_LATENCY,
        maxConcurrentReconciles: settings.concurrency,
        ucsQps: Number(UCS_FLAGS.qps),
        ucsBurst: Number(UCS_FLAGS.burst),
        ucsMaxInFlight: Number(UCS_FLAGS.maxInFlight),
        createConcurrency: settings.createConcurrency,
        operatorNodeOptions: deploymentNodeOptions.join(' '),
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
    await mkdir(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const file = join(
      REPO_ROOT,
      'bench',
      'results',
      `bench-${new Date(started).toISOString().replace(/[:.]/g, '-')}-scale-${String(settings.scale)}.json`,
    );
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    say(`wrote ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s total`);
  } finally {
    await sim?.run.stop();
    await cp.stop();
  }
}

const started = Date.now();
const say: Say = (line) => {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
};
try {
  const settings = parseBenchArgs(process.argv.slice(2));
  if (settings === undefined) process.stdout.write(USAGE);
  else await main(settings, started, say);
} catch (err: unknown) {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
