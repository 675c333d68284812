import { Command } from 'commander';
import { addOperatorFlags, ConfigError, parseOperatorConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { Operator } from '../runtime/operator.js';
import { VERSION } from '../version.js';

/** Reconciles in flight get this long to finish after SIGTERM; then they are abandoned. */
const RECONCILE_GRACE_MS = 5_000;
/** Past this, the process exits 1 whatever is still stopping (Kubernetes waits 30 s by default). */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** Exits after the log line just written had a moment to reach stderr. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 50);
}

export function runCommand(): Command {
  const command = new Command('run').description(
    'Run the operator: watch PolicyJobWatch resources, poll their UCS jobs and mirror each job and task status into the resource status.\n' +
      'Every flag can also be set with the environment variable shown in brackets.\n' +
      'Without heap flags of your own (NODE_OPTIONS) it re-executes itself with --max-old-space-size=256 --max-semi-space-size=8 and MALLOC_ARENA_MAX=2 unless set (POLICYJOBWATCH_HEAP_FLAGS=off keeps the defaults of V8 and glibc).',
  );
  addOperatorFlags(command);
  command.action(async (options: Record<string, unknown>) => {
    let config;
    try {
      config = parseOperatorConfig(options);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`policyjobwatch run: ${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
    const log = createLogger({ level: config.logLevel, format: config.logFormat });
    log.info('policyjobwatch operator', { version: VERSION, node: process.version });
    const startFailed = (err: unknown): void => {
      // An unreadable kubeconfig, a port in use: one line saying so, not a stack trace.
      log.error('cannot start', { error: err instanceof Error ? err.message : String(err) });
      exitSoon(1);
    };
    let operator: Operator;
    try {
      operator = new Operator(config, log, {
        // controller-runtime's choice: a replica that lost the lease exits at once, and comes
        // back (restarted by Kubernetes) as a standby with a fresh cache and a fresh identity.
        onLeadershipLost: () => {
          log.error('leader election lost; exiting so that Kubernetes restarts this replica');
          exitSoon(1);
        },
      });
    } catch (err) {
      startFailed(err);
      return;
    }
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) {
        log.warn('second signal; exiting now', { signal });
        exitSoon(1);
        return;
      }
      stopping = true;
      log.info('shutting down', { signal });
      // Never hang: exit even if something refuses to stop in time.
      setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
      operator.stop(RECONCILE_GRACE_MS).then(
        () => {
          log.info('stopped');
          exitSoon(0);
        },
        (err: unknown) => {
          log.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
          exitSoon(1);
        },
      );
    };
    process.on('SIGTERM', () => {
      shutdown('SIGTERM');
    });
    process.on('SIGINT', () => {
      shutdown('SIGINT');
    });
    await operator.start().catch(startFailed);
  });
  return command;
}
