import { Command } from 'commander';
import { ensureBinaries, LocalControlPlane, pinnedVersions } from '../control-plane/index.js';
import { waitForSignal } from './wait-for-signal.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function controlPlaneCommand(): Command {
  const command = new Command('control-plane').description(
    'A real local kube-apiserver and etcd for development, tests and the demo',
  );

  command
    .command('build')
    .description(
      'Build kube-apiserver and etcd from the Go module proxy into the cache (skipped when present).\n' +
        'Binaries are looked up as envtest does: TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD, ' +
        'then $KUBEBUILDER_ASSETS, then ~/.cache/policyjobwatch/control-plane/.',
    )
    .action(async () => {
      const versions = pinnedVersions();
      log(`kube-apiserver ${versions.kubernetes}, etcd ${versions.etcd}`);
      const paths = await ensureBinaries({ log, versions });
      process.stdout.write(`kube-apiserver: ${paths.kubeApiserver}\netcd: ${paths.etcd}\n`);
    });

  command
    .command('up')
    .description(
      'Start etcd and kube-apiserver on free loopback ports (RBAC on, admin kubeconfig written) ' +
        'and keep them running until Ctrl-C. Builds the binaries first when they are missing.',
    )
    .action(async () => {
      const cp = await LocalControlPlane.start({ log });
      process.stdout.write(
        [
          `control plane: ${cp.describe()}`,
          `export KUBECONFIG=${cp.kubeconfigPath}`,
          'kubectl version   # try it; Ctrl-C here stops everything',
          '',
        ].join('\n'),
      );
      await waitForSignal();
      log('stopping control plane');
      await cp.stop();
    });

  return command;
}
