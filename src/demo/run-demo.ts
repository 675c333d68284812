import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import winston from 'winston';
import { GROUP, PLURAL, VERSION, type PolicyJobWatch } from '../api/index.js';
import { LocalControlPlane } from '../control-plane/index.js';
import { defaultOptionValues, parseOperatorConfig } from '../runtime/config.js';
import { Operator } from '../runtime/operator.js';
import { UcsSimulator } from '../ucs-sim/index.js';
import {
  createDemoResources,
  DEMO_NAMESPACE,
  DEMO_SECRET,
  EXPECTED_PHASES,
  loadDemoResources,
} from './demo-resources.js';
import { exploreHints } from './explore-hints.js';
import { installCrd } from './install-crd.js';
import { kubectlOnPath, kubectlOutput } from './kubectl.js';
import { DEMO_FILES } from './paths.js';
import {
  PIPELINE_CONSTRAINT,
  PIPELINE_OLD_JOB,
  PIPELINE_RESOURCE,
  PipelineAct,
} from './pipeline-act.js';
import { checkSettling, type SettlingReport } from './settling.js';
import { tableViewFor, type TerminalOut } from './table-view.js';
import { Teardown } from './teardown.js';

export interface DemoOptions {
  /** Stop everything and exit once the resources settled, instead of waiting for Ctrl-C. */
  exitWhenSettled: boolean;
  /** How long the resources may take to settle, counted from their creation. */
  timeoutMs: number;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
  out: TerminalOut;
  err: TerminalOut;
}

/** The exit code of an interrupted demo, as a shell reports a Ctrl-C. */
export const INTERRUPTED_EXIT_CODE = 130;
const STEPS = 5;
const REFRESH_MS = 1000;

class Interrupted extends Error {}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
};

/**
 * The whole product on one machine: a local control plane, the CRD, the UCS simulator playing
 * examples/ucs-sim/scenario.yaml, the example resources and the operator, with the live
 * `kubectl get pjw` table until every resource settled. Resolves with the exit code, once
 * everything it started is stopped.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, signal } = options;
  const print = (text = ''): void => {
    out.write(`${text}\n`);
  };
  const detail = (line: string): void => {
    print(`      ${line}`);
  };
  const step = (n: number, text: string): void => {
    print(`[${String(n)}/${String(STEPS)}] ${text}`);
  };
  const checkpoint = (): void => {
    if (signal.aborted) throw new Interrupted();
  };
  const teardown = new Teardown(detail);
  const workDir = await mkdtemp(join(tmpdir(), 'policyjobwatch-demo-'));
  let exitCode: number;
  let settled = false;
  try {
    print(
      'PolicyJobWatch demo: a real kube-apiserver, the UCS simulator and the operator, all on this machine.',
    );
    print();

    step(1, 'Starting a local control plane (kube-apiserver + etcd)');
    let started = Date.now();
    const cp = await LocalControlPlane.start({ log: detail });
    teardown.add('control plane (kube-apiserver, etcd)', () => cp.stop());
    detail(`${cp.describe()} (${seconds(Date.now() - started)})`);
    detail(`kubeconfig: ${cp.kubeconfigPath}`);
    checkpoint();
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);

    step(2, `Installing the PolicyJobWatch CRD (${shown(DEMO_FILES.crd)})`);
    started = Date.now();
    await installCrd(kc, DEMO_FILES.crd);
    detail(`Established (${seconds(Date.now() - started)})`);
    checkpoint();

    step(3, `Starting the UCS simulator (${shown(DEMO_FILES.scenario)})`);
    const simLog = openLog(join(workDir, 'ucs-sim.log'));
    const token = `demo-${randomBytes(12).toString('hex')}`;
    const sim = await UcsSimulator.start({
      token,
      scenarioFile: DEMO_FILES.scenario,
      // The job the pipeline act starts runs this long: long enough to be seen Running.
      writeJobDuration: '20s',
      log: (line) => simLog.write(`${new Date().toISOString()} ${line}\n`),
    });
    teardown.add('UCS simulator', async () => {
      await sim.stop();
      await closeLog(simLog);
    });
    detail(`${sim.url}: ${String(sim.jobs().length)} jobs, token auth`);
    checkpoint();

    const resources = await loadDemoResources(DEMO_FILES.resources);
    step(
      4,
      `Creating namespace ${DEMO_NAMESPACE}, Secret ${DEMO_SECRET} and ${String(resources.length)} PolicyJobWatches (${shown(DEMO_FILES.resources)}/)`,
    );
    await createDemoResources(kc, token, resources);
    const createdAt = Date.now();
    checkpoint();

    const operatorLogPath = join(workDir, 'operator.log');
    step(5, `Starting the operator (logs: ${operatorLogPath})`);
    const operatorLog = openLog(operatorLogPath);
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: operatorLog })],
    });
    const config = parseOperatorConfig({
      ...defaultOptionValues(),
      namespace: DEMO_NAMESPACE,
      ucsEndpoint: sim.url,
      credentialsSecret: `${DEMO_NAMESPACE}/${DEMO_SECRET}`,
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '127.0.0.1:0',
    });
    const operator = new Operator(config, logger, { kubeConfig: kc });
    teardown.add('operator', async () => {
      await operator.stop();
      logger.end();
      await closeLog(operatorLog);
    });
    await operator.start();
    const metricsUrl =
      operator.metricsPort === undefined
        ? undefined
        : `http://127.0.0.1:${String(operator.metricsPort)}/metrics`;
    detail(
      `watching namespace ${DEMO_NAMESPACE}; UCS endpoint ${sim.url}${metricsUrl === undefined ? '' : `; metrics ${metricsUrl}`}`,
    );
    checkpoint();
    print();

    const report = await watchUntilSettled({
      kc,
      startJob: () => startPipelineJob(sim.url, token),
      kubectl: cp.binaries.kubectl,
      kubeconfig: cp.kubeconfigPath,
      out,
      signal,
      createdAt,
      deadline: createdAt + options.timeoutMs,
    });
    // The appending view ends its tables with a blank line already.
    if (out.isTTY === true) print();
    if (!report.settled) {
      print(
        `Not settled after ${seconds(options.timeoutMs)}: still waiting for ${report.waitingFor.join(', ')}.`,
      );
    } else if (report.unexpected.length > 0) {
      print(`Settled after ${seconds(Date.now() - createdAt)}, but not as the scenario expects:`);
      for (const line of report.unexpected) print(`  ${line}`);
    } else {
      settled = true;
      print(
        `Settled after ${seconds(Date.now() - createdAt)} as the scenario expects: 3 Succeeded (Ready=True), ` +
          `2 Failed (Stalled=True: retrying will not help); ${PIPELINE_RESOURCE} followed the job the pipeline started.`,
      );
    }
    exitCode = report.settled && report.unexpected.length === 0 ? 0 : 1;

    if (options.exitWhenSettled) {
      print('Run it without --exit-when-settled to explore the resources with kubectl.');
    } else {
      print();
      const pinned = cp.binaries.kubectl;
      out.write(
        exploreHints({
          kubeconfigPath: cp.kubeconfigPath,
          kubectl: (await kubectlOnPath()) ? 'kubectl' : pinned,
          pinnedKubectl: pinned,
          ...(metricsUrl === undefined ? {} : { metricsUrl }),
          operatorLog: operatorLogPath,
        }),
      );
      await aborted(signal);
      // Stopping a demo that ran its course is the normal way to end it.
      if (settled) exitCode = 0;
    }
  } catch (err) {
    // A Ctrl-C also reaches the go builds of a first run, which then fail: that is no error.
    if (err instanceof Interrupted || signal.aborted) {
      exitCode = INTERRUPTED_EXIT_CODE;
    } else {
      exitCode = 1;
      options.err.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  print();
  print(signal.aborted && !settled ? 'Interrupted: stopping everything' : 'Stopping everything');
  const errors = await teardown.run();
  if (errors.length > 0) exitCode = exitCode === 0 ? 1 : exitCode;
  if (exitCode === 0 || exitCode === INTERRUPTED_EXIT_CODE) {
    await rm(workDir, { recursive: true, force: true });
    print('Stopped everything.');
  } else {
    print(`Stopped everything; logs kept in ${workDir}`);
  }
  return exitCode;
}

/**
 * What a pipeline step does to roll out a new version of the constraint: UCS's write call
 * (PUT /v1/policyinstances/{id}), which answers {"jobID"}.
 */
async function startPipelineJob(endpoint: string, token: string): Promise<string> {
  const res = await fetch(`${endpoint}/v1/policyinstances/${PIPELINE_CONSTRAINT}`, {
    method: 'PUT',
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ spec: { parameters: { version: 2 } } }),
  });
  const text = await res.text();
  const jobID = res.ok ? (JSON.parse(text) as { jobID?: unknown }).jobID : undefined;
  if (typeof jobID !== 'string')
    throw new Error(`the write call answered ${String(res.status)}: ${text.slice(0, 200)}`);
  return jobID;
}

interface WatchInput {
  kc: KubeConfig;
  /** Starts the pipeline act's new job; resolves with its ID. */
  startJob: () => Promise<string>;
  kubectl: string;
  kubeconfig: string;
  out: TerminalOut;
  signal: AbortSignal;
  createdAt: number;
  deadline: number;
}

/**
 * Every second: reads the resources (to decide), then shows what `kubectl get pjw` prints (for
 * people). Read in that order, a settled decision is never shown with an older table.
 */
async function watchUntilSettled(input: WatchInput): Promise<SettlingReport> {
  const objects = input.kc.makeApiClient(CustomObjectsApi);
  const view = tableViewFor(input.out);
  const command = `kubectl get pjw -n ${DEMO_NAMESPACE}`;
  const act = new PipelineAct();
  const notes: string[] = [];
  for (;;) {
    let report: SettlingReport;
    try {
      const list = (await objects.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: DEMO_NAMESPACE,
        plural: PLURAL,
      })) as { items: PolicyJobWatch[] };
      const next = act.observe(list.items.find((o) => o.metadata.name === PIPELINE_RESOURCE));
      if (next !== undefined && 'start' in next) {
        const jobID = await input.startJob();
        act.started(jobID);
        notes.push(
          `pipeline step: PUT /v1/policyinstances/${PIPELINE_CONSTRAINT} -> {"jobID":"${jobID}"} (${PIPELINE_RESOURCE} was on its Succeeded job ${PIPELINE_OLD_JOB})`,
        );
      } else if (next !== undefined) {
        notes.push(next.say);
      }
      report = checkSettling(list.items, EXPECTED_PHASES);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('the write call')) throw err;
      report = checkSettling([], EXPECTED_PHASES);
    }
    if (report.settled && !act.done) {
      report = { ...report, settled: false, waitingFor: [PIPELINE_RESOURCE] };
    }
    const table = await kubectlOutput(input.kubectl, input.kubeconfig, [
      'get',
      'pjw',
      '-n',
      DEMO_NAMESPACE,
    ]);
    const progress = `${String(report.settledCount)} of ${String(report.expectedCount)} settled`;
    const elapsed = seconds(Date.now() - input.createdAt);
    // The act's steps so far, under the table (a redrawn frame must hold every line it shows).
    const shownTable = notes.length === 0 ? table : `${table.trimEnd()}\n\n${notes.join('\n')}`;
    view.show(
      shownTable,
      input.out.isTTY === true
        ? `$ ${command}    (every 1s; ${elapsed}; ${progress}; Ctrl-C stops the demo)`
        : `$ ${command}    (${elapsed}; ${progress})`,
      progress,
    );
    if (report.settled || Date.now() > input.deadline) return report;
    try {
      await sleep(REFRESH_MS, undefined, { signal: input.signal });
    } catch {
      throw new Interrupted();
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}

function openLog(path: string): WriteStream {
  return createWriteStream(path, { flags: 'a', mode: 0o600 });
}

function closeLog(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.end(() => {
      resolve();
    });
  });
}
