import type { FaultKind } from './faults.js';
import type { AuthMethod, AuthRejection } from './request-auth.js';

// Counters for tests and benchmarks. Everything is a map increment: no per-request allocation
// beyond the key, and no list that grows with traffic except the per-job counts.

export type ApiName = 'ucs' | 'iam' | 'admin' | 'other';

export interface SimStatsSnapshot {
  startedAt: string;
  uptimeMs: number;
  /** Requests to the simulated APIs (admin calls are counted apart). */
  requests: {
    total: number;
    byApi: Record<string, number>;
    /** Final HTTP status sent, per code; requests left hanging count under "hang". */
    byStatus: Record<string, number>;
    /** Accepted requests per auth method ("none" when auth is off) and rejected ones per reason. */
    byAuth: Record<string, number>;
    rejectedByReason: Record<string, number>;
    faults: Record<string, number>;
  };
  /** GET /v1/policy/jobs/{jobid} requests per job ID, whatever their outcome. */
  jobs: Record<string, number>;
  /** GET /v1/policy/jobs?kind= requests per kind asked for, whatever their outcome. */
  lists: Record<string, number>;
  adminRequests: number;
  tokens: { issued: number; valid: number };
  /** Workload identity: ID tokens exchanged, temporary keys issued and still known. */
  federation: { exchanges: number; temporaryKeys: number };
  jobCount: number;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class RequestStats {
  private total = 0;
  private admin = 0;
  private readonly byApi = new Map<string, number>();
  private readonly byStatus = new Map<string, number>();
  private readonly byAuth = new Map<string, number>();
  private readonly rejected = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly perJob = new Map<string, number>();
  private readonly perListKind = new Map<string, number>();

  request(api: ApiName): void {
    if (api === 'admin') {
      this.admin += 1;
      return;
    }
    this.total += 1;
    bump(this.byApi, api);
  }

  jobRequest(jobId: string): void {
    bump(this.perJob, jobId);
  }

  listRequest(kind: string): void {
    bump(this.perListKind, kind);
  }

  status(code: number | 'hang'): void {
    bump(this.byStatus, String(code));
  }

  accepted(method: AuthMethod): void {
    bump(this.byAuth, method);
  }

  rejectedFor(reason: AuthRejection): void {
    bump(this.byAuth, 'rejected');
    bump(this.rejected, reason);
  }

  fault(kind: FaultKind): void {
    bump(this.faults, kind);
  }

  requestCount(jobId: string): number {
    return this.perJob.get(jobId) ?? 0;
  }

  listRequestCount(kind: string): number {
    return this.perListKind.get(kind) ?? 0;
  }

  reset(): void {
    this.total = 0;
    this.admin = 0;
    for (const map of [
      this.byApi,
      this.byStatus,
      this.byAuth,
      this.rejected,
      this.faults,
      this.perJob,
      this.perListKind,
    ]) {
      map.clear();
    }
  }

  snapshot(extra: {
    startedAtMs: number;
    nowMs: number;
    tokens: { issued: number; valid: number };
    federation: { exchanges: number; temporaryKeys: number };
    jobCount: number;
  }): SimStatsSnapshot {
    return {
      startedAt: new Date(extra.startedAtMs).toISOString(),
      uptimeMs: extra.nowMs - extra.startedAtMs,
      requests: {
        total: this.total,
        byApi: Object.fromEntries(this.byApi),
        byStatus: Object.fromEntries(this.byStatus),
        byAuth: Object.fromEntries(this.byAuth),
        rejectedByReason: Object.fromEntries(this.rejected),
        faults: Object.fromEntries(this.faults),
      },
      jobs: Object.fromEntries(this.perJob),
      lists: Object.fromEntries(this.perListKind),
      adminRequests: this.admin,
      tokens: extra.tokens,
      federation: extra.federation,
      jobCount: extra.jobCount,
    };
  }
}
