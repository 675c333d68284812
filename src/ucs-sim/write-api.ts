import { randomUUID } from 'node:crypto';
import { jsonResponse, type SimResponse } from './ucs-errors.js';
import type { JobInput } from './scenario-schema.js';

// The UCS calls that start policy jobs and answer {"jobID": "..."}: create a policy instance
// on a cluster or a cluster group, update or delete one, enable policy management on a cluster.
// Each becomes a real job on the simulator's timeline (Running, then Succeeded, one task per
// target). The bodies are checked only for being JSON objects: the simulator is not a policy
// engine. The job's type, listKind and the kinds' names are assumed (UCS documents none of them
// beyond `kind` defaulting to EnablePolicy).

export type WriteCall =
  | { op: 'createInstance'; targetType: 'cluster' | 'clustergroup'; targetId: string }
  | { op: 'updateInstance' | 'deleteInstance'; instanceId: string }
  | { op: 'enablePolicy'; clusterId: string };

/** The kind the policy-instance jobs are listed under (assumed). */
export const POLICY_INSTANCE_KIND = 'PolicyInstance';
export const ENABLE_POLICY_KIND = 'EnablePolicy';

const SEGMENT = '([^/]+)';
const ROUTES: [string, RegExp, (id: string) => WriteCall][] = [
  [
    'POST',
    new RegExp(`^/v1/clusters/${SEGMENT}/policyinstance/?$`),
    (id) => ({ op: 'createInstance', targetType: 'cluster', targetId: id }),
  ],
  [
    'POST',
    new RegExp(`^/v1/clustergroups/${SEGMENT}/policyinstance/?$`),
    (id) => ({ op: 'createInstance', targetType: 'clustergroup', targetId: id }),
  ],
  [
    'PUT',
    new RegExp(`^/v1/policyinstances/${SEGMENT}/?$`),
    (id) => ({ op: 'updateInstance', instanceId: id }),
  ],
  [
    'DELETE',
    new RegExp(`^/v1/policyinstances/${SEGMENT}/?$`),
    (id) => ({ op: 'deleteInstance', instanceId: id }),
  ],
  [
    'POST',
    new RegExp(`^/v1/clusters/${SEGMENT}/policy/?$`),
    (id) => ({ op: 'enablePolicy', clusterId: id }),
  ],
];

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The write call a request makes, or undefined when it is none. */
export function writeCallOf(method: string, path: string): WriteCall | undefined {
  for (const [routeMethod, pattern, build] of ROUTES) {
    if (method !== routeMethod) continue;
    const segment = pattern.exec(path)?.[1];
    const id = segment === undefined ? undefined : decode(segment);
    if (id !== undefined && id !== '') return build(id);
  }
  return undefined;
}

/** UCS-style 400 (the code is assumed: UCS documents no code for a bad body). */
export function invalidBody(message: string): SimResponse {
  return jsonResponse(400, { error_code: 'UCS.00000002', error_msg: message });
}

interface Target {
  id: string;
  type: string;
}

/** Where the policy instances created through the simulator were delivered, by instance ID. */
export class PolicyInstances {
  private readonly targets = new Map<string, Target>();

  remember(instanceId: string, target: Target): void {
    this.targets.set(instanceId, target);
  }

  targetOf(instanceId: string): Target | undefined {
    return this.targets.get(instanceId);
  }

  forget(instanceId: string): void {
    this.targets.delete(instanceId);
  }

  clear(): void {
    this.targets.clear();
  }
}

export interface WritePlan {
  job: JobInput;
  /** Set when a create assigns a new policy instance ID. */
  instanceId?: string;
}

/** Why a body is refused, or undefined when it is a JSON object (or absent where allowed). */
function bodyProblem(body: string, required: boolean): string | undefined {
  if (body.trim() === '') return required ? 'The request body is empty.' : undefined;
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    return 'The request body is not valid JSON.';
  }
  return value === null || typeof value !== 'object' || Array.isArray(value)
    ? 'The request body must be a JSON object.'
    : undefined;
}

/**
 * The job a write call starts (as a scenario job, timed from now), or a 400 answer. Unknown
 * policy instances are accepted (the instance may predate the simulator); their task targets
 * the instance itself.
 */
export function planWrite(
  call: WriteCall,
  body: string,
  instances: PolicyInstances,
  durationMs: number,
): WritePlan | SimResponse {
  const problem = bodyProblem(body, call.op === 'createInstance' || call.op === 'updateInstance');
  if (problem !== undefined) return invalidBody(problem);
  const jobId = randomUUID();
  const run = { finishAt: durationMs };
  if (call.op === 'enablePolicy') {
    return {
      job: {
        id: jobId,
        listKind: ENABLE_POLICY_KIND,
        type: 'EnablePolicy',
        operation: 'create',
        extendParam: { clusterID: call.clusterId },
        relatedObjects: { clusterID: call.clusterId },
        ...run,
        tasks: [{ target: call.clusterId, targetType: 'cluster' }],
      },
    };
  }
  if (call.op === 'createInstance') {
    const instanceId = randomUUID();
    const targetType = call.targetType === 'cluster' ? 'cluster' : 'fleet';
    const related = call.targetType === 'cluster' ? 'clusterID' : 'clusterGroupID';
    instances.remember(instanceId, { id: call.targetId, type: targetType });
    return {
      instanceId,
      job: {
        id: jobId,
        listKind: POLICY_INSTANCE_KIND,
        type: 'CreateConstraint',
        operation: 'create',
        extendParam: { constraintID: instanceId },
        relatedObjects: { [related]: call.targetId },
        ...run,
        tasks: [{ target: call.targetId, targetType }],
      },
    };
  }
  const target = instances.targetOf(call.instanceId) ?? {
    id: call.instanceId,
    type: 'policyinstance',
  };
  if (call.op === 'deleteInstance') instances.forget(call.instanceId);
  return {
    job: {
      id: jobId,
      listKind: POLICY_INSTANCE_KIND,
      type: call.op === 'updateInstance' ? 'UpdateConstraint' : 'DeleteConstraint',
      operation: 'create',
      extendParam: { constraintID: call.instanceId },
      ...run,
      tasks: [{ target: target.id, targetType: target.type }],
    },
  };
}

/** UCS's answer to a call that started a job. */
export function jobStarted(jobId: string): SimResponse {
  return jsonResponse(200, { jobID: jobId });
}
