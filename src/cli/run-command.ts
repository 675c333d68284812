import { Command } from 'commander';
import { addOperatorFlags, ConfigError, parseOperatorConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import { Operator } from '../runtime/operator.js';
import { VERSION } from '../version.js';

const SHUTDOWN_GRACE_MS = 8_000;

export function runCommand(): Command {
  const command = new Command('run').description(
    'Run the operator: watch PolicyJobWatch resources, poll their UCS jobs and mirror each job and task status into the resource status.\n' +
      'Every flag can also be set with the environment variable shown in brackets.',
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
    const operator = new Operator(config, log);
    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      // Never hang: exit even if something refuses to stop in time.
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_000).unref();
      void operator.stop().then(() => {
        log.info('stopped');
        process.exit(0);
      });
    };
    process.on('SIGTERM', () => {
      shutdown('SIGTERM');
    });
    process.on('SIGINT', () => {
      shutdown('SIGINT');
    });
    await operator.start();
  });
  return command;
}
