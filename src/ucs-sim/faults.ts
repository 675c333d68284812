import type { FaultRuleSpec } from './scenario-schema.js';

// Fault injection: what goes wrong between a client and UCS in practice (slow answers,
// 500s, API gateway throttling with Retry-After, 502 pages from a proxy, cut-off JSON,
// connections that never answer), globally or for one job, for ever or for a time window.

export type FaultApi = 'ucs' | 'iam';

/** The UCS call a request makes, for faults scoped to one kind of call. */
export type UcsCall = 'job' | 'list' | 'write';

export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'badGateway' }
  | { kind: 'error' }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'malformed' };

export type FaultKind = Exclude<FaultOutcome['kind'], 'none'>;

export interface FaultDecision {
  latencyMs: number;
  outcome: FaultOutcome;
}

/** A fault rule as it is kept and listed: times are absolute (epoch ms of the sim clock). */
export interface FaultRule {
  id: string;
  job?: string;
  api: 'ucs' | 'iam' | 'all';
  call?: UcsCall;
  fromMs: number;
  untilMs?: number;
  latencyMs: number;
  hangRate: number;
  badGatewayRate: number;
  errorRate: number;
  throttleRate: number;
  retryAfterSeconds: number;
  malformedRate: number;
}

const NO_FAULT: FaultDecision = { latencyMs: 0, outcome: { kind: 'none' } };

/** mulberry32: a small seedable generator, so that a fault run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Adds a rule whose `from`/`for` count from `baseMs` (default: now). Returns its id. */
  add(spec: FaultRuleSpec, baseMs: number = this.now()): FaultRule {
    const fromMs = baseMs + (spec.from ?? 0);
    const rule: FaultRule = {
      id: `fault-${this.nextId++}`,
      api: spec.api ?? 'ucs',
      fromMs,
      latencyMs: spec.latency ?? 0,
      hangRate: spec.hangRate ?? 0,
      badGatewayRate: spec.badGatewayRate ?? 0,
      errorRate: spec.errorRate ?? 0,
      throttleRate: spec.throttleRate ?? 0,
      retryAfterSeconds: Math.max(0, Math.ceil((spec.retryAfter ?? 1000) / 1000)),
      malformedRate: spec.malformedRate ?? 0,
    };
    if (spec.job !== undefined) rule.job = spec.job;
    if (spec.call !== undefined) rule.call = spec.call;
    if (spec.for !== undefined) rule.untilMs = fromMs + spec.for;
    this.rules.push(rule);
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    this.prune(this.now());
    return this.rules;
  }

  /**
   * What happens to one request. Rules for the job come before global ones; the first rule
   * that rolls a fault decides it; latency is the largest of the rules in force.
   */
  decide(api: FaultApi, jobId: string | undefined, call?: UcsCall): FaultDecision {
    if (this.rules.length === 0) return NO_FAULT;
    const now = this.now();
    let latencyMs = 0;
    let outcome: FaultOutcome | undefined;
    let expired = false;
    for (const jobScopedPass of [true, false]) {
      for (const rule of this.rules) {
        if ((rule.job !== undefined) !== jobScopedPass) continue;
        if (rule.untilMs !== undefined && now >= rule.untilMs) {
          expired = true;
          continue;
        }
        if (now < rule.fromMs || (rule.api !== 'all' && rule.api !== api)) continue;
        if (rule.job !== undefined && rule.job !== jobId) continue;
        if (rule.call !== undefined && rule.call !== call) continue;
        latencyMs = Math.max(latencyMs, rule.latencyMs);
        outcome ??= this.roll(rule);
      }
    }
    if (expired) this.prune(now);
    return { latencyMs, outcome: outcome ?? { kind: 'none' } };
  }

  private roll(rule: FaultRule): FaultOutcome | undefined {
    const total =
      rule.hangRate + rule.badGatewayRate + rule.errorRate + rule.throttleRate + rule.malformedRate;
    if (total === 0) return undefined;
    // One roll per rule: rates add up, so errorRate 0.5 + throttleRate 0.5 always faults.
    let roll = this.random();
    const bands: [number, FaultOutcome][] = [
      [rule.hangRate, { kind: 'hang' }],
      [rule.badGatewayRate, { kind: 'badGateway' }],
      [rule.errorRate, { kind: 'error' }],
      [rule.throttleRate, { kind: 'throttle', retryAfterSeconds: rule.retryAfterSeconds }],
      [rule.malformedRate, { kind: 'malformed' }],
    ];
    for (const [rate, outcome] of bands) {
      if (roll < rate) return outcome;
      roll -= rate;
    }
    return undefined;
  }

  private prune(now: number): void {
    this.rules = this.rules.filter((r) => r.untilMs === undefined || now < r.untilMs);
  }
}
