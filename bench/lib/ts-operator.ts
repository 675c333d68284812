// `policyjobwatch run` as users run it, one process a phase, its log in the run's folder.
// As in the image (Dockerfile, stage compile-cache), the operators read Node's module compile
// cache, made once a run before the first phase by `node dist/policyjobwatch.mjs --version`
// without Node flags, as the image makes it.
import { join } from 'node:path';
import { operatorBundle } from '../../harness/operator-bundle.js';
import { NodeProcess, OperatorProcess, flagArgs } from '../../harness/operator-process.js';
import { fetchOperatorMetrics } from './operator-metrics.js';
import type { MeasuredLauncher } from './measured-operator.js';
import type { Say } from './phases.js';
import { takeHeapSnapshot } from './processes.js';
import { UCS_FLAGS, type BenchSettings } from './settings.js';

export interface TsLaunchOptions {
  /** Node flags of the operator process (the Deployment's, and profiling ones). */
  nodeFlags: string[];
  /** The rest of the Deployment's environment (MALLOC_ARENA_MAX, `operatorEnvironment`). */
  env: Record<string, string>;
  kubeconfig: string;
  simUrl: string;
  credentialsSecret: string;
  settings: BenchSettings;
  /** Folder of the operator logs. */
  runDir: string;
  /** Where heap snapshots go when profiling. */
  profileDir: string;
  say: Say;
}

/**
 * Makes the compile cache of the bundle in `dir` (V8's code cache of dist/policyjobwatch.mjs,
 * written when the process exits) and returns `dir`.
 */
export async function warmCompileCache(dir: string): Promise<string> {
  const warm = new NodeProcess({
    name: 'compile cache warm-up',
    args: [operatorBundle(), '--version'],
    env: { NODE_COMPILE_CACHE: dir },
  });
  const { code, signal } = await warm.exited;
  if (code !== 0)
    throw new Error(`${warm.name} exited (${String(code ?? signal)})\n${warm.tail()}`);
  return dir;
}

export async function tsLauncher(o: TsLaunchOptions): Promise<MeasuredLauncher> {
  const compileCache = await warmCompileCache(join(o.runDir, 'compile-cache'));
  return async (phase, namespace) => {
    const operator = await OperatorProcess.start({
      args: flagArgs({
        kubeconfig: o.kubeconfig,
        namespace,
        'ucs-endpoint': o.simUrl,
        // As users list theirs (the simulator is plain HTTP on loopback).
        'allowed-endpoints': o.simUrl,
        'credentials-secret': o.credentialsSecret,
        'poll-interval': `${String(o.settings.pollMs / 1000)}s`,
        'max-concurrent-reconciles': String(o.settings.concurrency),
        'ucs-qps': UCS_FLAGS.qps,
        'ucs-burst': UCS_FLAGS.burst,
        'ucs-max-in-flight': UCS_FLAGS.maxInFlight,
      }),
      nodeFlags: o.nodeFlags,
      env: { ...o.env, NODE_COMPILE_CACHE: compileCache },
      logFile: join(o.runDir, `operator-${phase.toLowerCase()}.log`),
      keepLines: false,
    });
    try {
      await operator.ready({ probe: 'healthz', intervalMs: 50 });
    } catch (err) {
      await operator.stop();
      throw err;
    }
    return {
      pid: operator.pid,
      metricsUrl: operator.metricsUrl,
      events: async () => {
        const { eventsDropped, eventsQueued } = await fetchOperatorMetrics(operator.metricsUrl);
        return { dropped: eventsDropped, queued: eventsQueued };
      },
      snapshot: async () => {
        if (!o.settings.profile) return;
        const file = await takeHeapSnapshot(operator, o.profileDir);
        o.say(`${phase}: heap snapshot ${file}`);
      },
      stop: () => operator.stop(),
    };
  };
}
