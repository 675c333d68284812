import { expect } from 'chai';
import {
  API_VERSION,
  KIND,
  parsePolicyJobWatchSpec,
  type JobSelector,
} from '../../../src/api/index.js';
import { EXPECTED_PHASES, loadDemoResources } from '../../../src/demo/demo-resources.js';
import { exploreHints } from '../../../src/demo/explore-hints.js';
import { DEMO_FILES } from '../../../src/demo/paths.js';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { selectedJobIDs } from '../../../src/controller/job-selector.js';
import { parseJobList } from '../../../src/ucs/index.js';

async function selectedFromSim(url: string, selector: JobSelector | undefined): Promise<string[]> {
  if (selector === undefined) return [];
  const res = await fetch(`${url}/v1/policy/jobs?kind=${encodeURIComponent(selector.kind)}`);
  const list = parseJobList(await res.text());
  return list.ok ? selectedJobIDs(list.list.items, selector) : [];
}

describe('demo: the files it plays', () => {
  it('has one valid example resource per expected outcome, each watching jobs of the scenario', async () => {
    const resources = await loadDemoResources(DEMO_FILES.resources);
    expect(resources.map((r) => r.name).sort()).to.deep.equal(Object.keys(EXPECTED_PHASES).sort());
    const sim = await UcsSimulator.start({ scenarioFile: DEMO_FILES.scenario });
    try {
      const served = new Set(sim.jobs().map((j) => j.id));
      for (const resource of resources) {
        expect(resource.body.apiVersion).to.equal(API_VERSION);
        expect(resource.body.kind).to.equal(KIND);
        const spec = parsePolicyJobWatchSpec(resource.body.spec);
        expect(spec.ok, `${resource.file}: ${JSON.stringify(spec)}`).to.equal(true);
        // A selector must select a job of the scenario, as the controller selects it.
        const jobIDs = spec.ok
          ? (spec.spec.jobIDs ?? (await selectedFromSim(sim.url, spec.spec.jobSelector)))
          : [];
        expect(jobIDs, `${resource.file} watches jobs`).to.not.be.empty;
        for (const id of jobIDs)
          expect(served.has(id), `${resource.file}: job ${id}`).to.equal(true);
        expect((resource.body.spec as { pollInterval?: string }).pollInterval).to.equal('5s');
      }
    } finally {
      await sim.stop();
    }
  });

  it('tells how to explore, with the kubeconfig and the commands of the issue', () => {
    const text = exploreHints({
      kubeconfigPath: '/tmp/policyjobwatch-cp-x/kubeconfig',
      kubectl: 'kubectl',
      pinnedKubectl: '/cache/kubectl',
      operatorLog: '/tmp/d/operator.log',
    });
    for (const line of [
      'export KUBECONFIG=/tmp/policyjobwatch-cp-x/kubeconfig',
      'kubectl get pjw -n demo ',
      'kubectl describe pjw rollout-partial-failure -n demo',
      'kubectl get pjw seed-example -n demo -o yaml',
      'kubectl wait --for=condition=Ready pjw/seed-example -n demo',
      'kubectl get events -n demo',
    ]) {
      expect(text).to.include(line);
    }
    expect(text).to.include('/cache/kubectl');
    expect(text).to.not.include('metrics');
  });
});
