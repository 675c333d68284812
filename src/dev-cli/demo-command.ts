import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../api/index.js';
import { INTERRUPTED_EXIT_CODE, runDemo } from '../demo/index.js';

/** Past this, a stop that hangs after Ctrl-C gives way to an exit (which kills what is left). */
const STOP_GRACE_MS = 30_000;
/** Signals closer together than this are one Ctrl-C. */
const DOUBLE_SIGNAL_MS = 1_000;

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidArgumentError('expected a duration such as 90s, 3m or 1m30s');
  }
  return ms;
}

const HELP_AFTER = `
What it does, in about a minute once the control plane binaries are built:
  1. starts a local kube-apiserver and etcd (the first run on a machine builds them from the Go
     module proxy: a few minutes, once; needs Go, see README.md);
  2. installs the PolicyJobWatch CRD from crds/;
  3. starts the UCS simulator in this process, playing examples/ucs-sim/scenario.yaml: the UCS
     API page's example job, a rollout to 3 clusters that succeeds after 30s, one that fails on
     1 of 3 clusters after 20s, and one that times out after 45s;
  4. creates namespace "demo", a credentials Secret and the resources of
     examples/policyjobwatches/ (one per job), and runs the operator in this process, with its
     logs in a temporary folder;
  5. shows "kubectl get pjw -n demo" live until every resource settled (Ready=True, or
     Stalled=True when retrying will not help), then prints the export KUBECONFIG=... line and
     kubectl commands to explore.

Ctrl-C (or SIGTERM, or closing the terminal) stops everything it started. Nothing is installed outside temporary folders
and the control plane binary cache. On a terminal the table is redrawn in place every second;
otherwise a new table is printed only when it changed.

Exit codes with --exit-when-settled: 0 when the resources ended as the scenario plays out
(seed-example and rollout-ok Succeeded, rollout-partial-failure and rollout-timeout Failed),
1 when they did not or not within --timeout, or on an error; 130 when interrupted before.
Without it, Ctrl-C after the resources settled exits 0.

Examples:
  npm run demo
  npm run demo -- --exit-when-settled --timeout 5m   # in CI: a smoke test of the whole product
`;

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Show the whole product in two minutes: a local control plane, the UCS simulator, the ' +
        'operator and four example PolicyJobWatch resources, watched live with kubectl',
    )
    .addOption(
      new Option(
        '--exit-when-settled',
        'stop everything and exit once every resource settled, instead of waiting for Ctrl-C',
      ),
    )
    .addOption(
      new Option(
        '--timeout <duration>',
        'how long the resources may take to settle, counted from their creation (e.g. 90s, 5m)',
      )
        .argParser(duration)
        .default(180_000, '3m'),
    )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: { exitWhenSettled?: boolean; timeout: number }) => {
      const interrupt = new AbortController();
      let firstSignalAt = 0;
      const onSignal = (): void => {
        if (!interrupt.signal.aborted) {
          firstSignalAt = Date.now();
          interrupt.abort();
          setTimeout(() => process.exit(INTERRUPTED_EXIT_CODE), STOP_GRACE_MS).unref();
          return;
        }
        // One Ctrl-C can arrive twice (from the terminal, and relayed by tsx or npm): only a
        // deliberate second one, a moment later, skips the orderly stop. Exiting still kills
        // etcd and kube-apiserver (see SupervisedProcess), but leaves their folder behind.
        if (Date.now() - firstSignalAt < DOUBLE_SIGNAL_MS) return;
        process.stderr.write('demo: stopping at once\n');
        process.exit(INTERRUPTED_EXIT_CODE);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // A closed terminal window, too, must not leave a control plane or folders behind.
      process.on('SIGHUP', onSignal);
      const code = await runDemo({
        exitWhenSettled: flags.exitWhenSettled === true,
        timeoutMs: flags.timeout,
        signal: interrupt.signal,
        out: process.stdout,
        err: process.stderr,
      });
      // Client sockets and timers of the stopped components must not keep the process alive.
      process.exit(code);
    });
}
