import { DEMO_NAMESPACE } from './demo-resources.js';

export interface ExploreHintsInput {
  kubeconfigPath: string;
  /** How to call kubectl: plain `kubectl`, or the pinned binary's path. */
  kubectl: string;
  /** The pinned kubectl, named when `kubectl` is not it. */
  pinnedKubectl: string;
  /** The operator's /metrics, when served. */
  metricsUrl?: string;
  operatorLog: string;
}

/** What to try once the resources settled, in a second terminal. */
export function exploreHints(input: ExploreHintsInput): string {
  const k = input.kubectl;
  const ns = `-n ${DEMO_NAMESPACE}`;
  const commands: [string, string][] = [
    [`${k} get pjw ${ns}`, 'the table above'],
    [`${k} get pjw ${ns} -o wide`, 'with the Ready message'],
    [`${k} describe pjw rollout-partial-failure ${ns}`, 'which cluster failed, and why'],
    [`${k} get pjw seed-example ${ns} -o yaml`, 'the whole mirrored job'],
    [`${k} wait --for=condition=Ready pjw/seed-example ${ns}`, 'what a pipeline gates on'],
    [`${k} get events ${ns}`, 'JobRunning, JobSucceeded, JobFailed ...'],
  ];
  if (input.metricsUrl !== undefined) {
    commands.push([`curl -s ${input.metricsUrl} | grep ^policyjobwatch_`, 'Prometheus metrics']);
  }
  commands.push([`tail -f ${input.operatorLog}`, "the operator's JSON logs"]);
  const width = Math.max(...commands.map(([command]) => command.length));
  const lines = [
    'Everything keeps running until Ctrl-C. Explore in another terminal:',
    '',
    `  export KUBECONFIG=${input.kubeconfigPath}`,
    ...commands.map(([command, why]) => `  ${command.padEnd(width)}  # ${why}`),
  ];
  if (k !== input.pinnedKubectl) {
    lines.push(`  # kubectl of the API server's release: ${input.pinnedKubectl}`);
  }
  return `${lines.join('\n')}\n`;
}
