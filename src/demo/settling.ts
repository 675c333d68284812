import type { PolicyJobWatch } from '../api/index.js';

/** Where one resource stands, from its status alone. */
export interface ResourceState {
  name: string;
  phase: string;
  /** Ready=True or Stalled=True, computed for the current generation: nothing more will change. */
  settled: boolean;
  /** The reason of Ready (or Stalled), for messages. */
  reason: string;
}

export function resourceState(obj: PolicyJobWatch): ResourceState {
  const status = obj.status;
  const conditions = status?.conditions ?? [];
  const isTrue = (type: string): boolean =>
    conditions.some((c) => c.type === type && c.status === 'True');
  const current =
    status?.observedGeneration !== undefined &&
    status.observedGeneration === obj.metadata.generation;
  const ready = conditions.find((c) => c.type === 'Ready');
  return {
    name: obj.metadata.name ?? '',
    phase: status?.phase ?? 'Pending',
    settled: current && (isTrue('Ready') || isTrue('Stalled')),
    reason: ready?.reason ?? '',
  };
}

export interface SettlingReport {
  /** Every expected resource exists and is settled. */
  settled: boolean;
  /** Expected resources not settled yet (or missing). */
  waitingFor: string[];
  /** Settled resources whose phase is not the expected one, as "name: Phase (Reason), expected Phase". */
  unexpected: string[];
  /** How many of the expected resources are settled. */
  settledCount: number;
  expectedCount: number;
}

/** Compares the resources with the phases the scenario should end in. Others are ignored. */
export function checkSettling(
  objects: readonly PolicyJobWatch[],
  expected: Readonly<Record<string, string>>,
): SettlingReport {
  const states = new Map(objects.map((o) => [o.metadata.name ?? '', resourceState(o)]));
  const waitingFor: string[] = [];
  const unexpected: string[] = [];
  let settledCount = 0;
  for (const [name, phase] of Object.entries(expected)) {
    const state = states.get(name);
    if (!state?.settled) {
      waitingFor.push(name);
      continue;
    }
    settledCount += 1;
    if (state.phase !== phase) {
      unexpected.push(`${name}: ${state.phase} (${state.reason}), expected ${phase}`);
    }
  }
  return {
    settled: waitingFor.length === 0,
    waitingFor,
    unexpected,
    settledCount,
    expectedCount: Object.keys(expected).length,
  };
}
