// An operator launcher that measures every process it starts, whatever the operator is: the
// kernel's CPU and memory figures of the process, and from the apiserver and the simulator what
// the process cost them between its start and its stop. The same for TS and Go.
import type { LocalControlPlane } from '../../src/control-plane/index.js';
import { PLURAL } from '../../src/api/index.js';
import { simStats, type BenchOperator, type OperatorLauncher, type Phase } from './phases.js';
import { ProcessSampler, type ProcessSample } from './process-sampler.js';
import { metricSum } from './prometheus.js';

/** An operator process the comparison can measure. */
export interface MeasuredOperator extends BenchOperator {
  pid: number;
  /**
   * Events the operator gave up on so far, and those waiting to be written (NaN when the
   * operator does not say).
   */
  events(): Promise<{ dropped: number; queued: number }>;
}

export type MeasuredLauncher = (phase: Phase, namespace: string) => Promise<MeasuredOperator>;

/** What one operator process did from its start to its stop. */
export interface ProcessRun {
  launchedAt: number;
  samples: ProcessSample[];
  apiserverCpuSeconds: number;
  ucsCalls: number;
  statusWrites: number;
  eventsWritten: number;
  eventsDropped: number;
  eventsQueued: number;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'CREATE', 'UPDATE']);

/** Apiserver CPU, status writes on our resources and event writes, from its /metrics text. */
export function apiserverCounters(metrics: string): {
  cpuSeconds: number;
  statusWrites: number;
  eventsWritten: number;
} {
  const writes = (l: Record<string, string>): boolean => WRITE_VERBS.has(l.verb ?? '');
  return {
    cpuSeconds: metricSum(metrics, 'process_cpu_seconds_total'),
    statusWrites: metricSum(
      metrics,
      'apiserver_request_total',
      (l) => l.resource === PLURAL && l.subresource === 'status' && writes(l),
    ),
    eventsWritten: metricSum(
      metrics,
      'apiserver_request_total',
      (l) => l.resource === 'events' && (l.subresource ?? '') === '' && writes(l),
    ),
  };
}

/**
 * Wraps `launch`: each process it starts is sampled until its stop, and its run is recorded
 * in `runs` under its phase (the last one wins).
 */
export function measuringLauncher(
  launch: MeasuredLauncher,
  cp: LocalControlPlane,
  simUrl: string,
): { launch: OperatorLauncher; runs: Map<Phase, ProcessRun> } {
  const runs = new Map<Phase, ProcessRun>();
  const apiserver = async (): Promise<ReturnType<typeof apiserverCounters>> =>
    apiserverCounters((await cp.apiGet('/metrics')).body);
  const ucsCalls = async (): Promise<number> => {
    const { jobs } = await simStats(simUrl);
    return Object.values(jobs).reduce((a, b) => a + b, 0);
  };
  const measured: OperatorLauncher = async (phase, namespace) => {
    // When the phase asked for the operator: its times count from here.
    const launchedAt = Date.now();
    const [before, callsBefore] = await Promise.all([apiserver(), ucsCalls()]);
    const operator = await launch(phase, namespace);
    const sampler = new ProcessSampler(operator.pid);
    sampler.start();
    let stopped: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      const samples = await sampler.stop();
      const [after, callsAfter, events] = await Promise.all([
        apiserver(),
        ucsCalls(),
        operator.events(),
      ]);
      await operator.stop();
      runs.set(phase, {
        launchedAt,
        samples,
        apiserverCpuSeconds: after.cpuSeconds - before.cpuSeconds,
        ucsCalls: callsAfter - callsBefore,
        statusWrites: after.statusWrites - before.statusWrites,
        eventsWritten: after.eventsWritten - before.eventsWritten,
        eventsDropped: events.dropped,
        eventsQueued: events.queued,
      });
    };
    return {
      metricsUrl: operator.metricsUrl,
      snapshot: () => operator.snapshot(),
      stop: () => (stopped ??= stop()),
    };
  };
  return { launch: measured, runs };
}
