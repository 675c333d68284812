import type { UcsError } from '../errors.js';
import type { AuthStrategy, PreparedAuth, PrepareResult } from './auth-strategy.js';

/** When IAM does not say how long issued credentials live, assume less and renew after this. */
const UNKNOWN_LIFETIME_MS = 60 * 60_000;
/** Renew this long before expiry at most ... */
const MAX_MARGIN_MS = 60 * 60_000;
/** ... and at most this share of the lifetime (short-lived credentials in tests, odd IAMs). */
const MARGIN_SHARE = 0.1;

/** Credentials IAM issued, ready for requests until `renewAt` (epoch ms). */
export type IssueResult =
  { ok: true; auth: PreparedAuth; renewAt: number } | { ok: false; error: UcsError };

/**
 * Credentials that IAM issues and that expire (a password token, temporary AK/SK from an ID
 * token). Cached until a safety margin before their expiry; concurrent callers share one
 * issue; after a 401/403 from UCS they are dropped so that the next call gets new ones (IAM
 * can revoke them early, e.g. on a password change). Failures are not cached.
 */
export abstract class RenewingAuth implements AuthStrategy {
  #cached: { auth: PreparedAuth; renewAt: number } | undefined;
  #inFlight: Promise<PrepareResult> | undefined;

  constructor(protected readonly now: () => number) {}

  prepare(): Promise<PrepareResult> {
    const cached = this.#cached;
    if (cached !== undefined && this.now() < cached.renewAt) {
      return Promise.resolve({ ok: true, auth: cached.auth });
    }
    this.#inFlight ??= this.issue()
      .then((issued): PrepareResult => {
        if (!issued.ok) return issued;
        this.#cached = { auth: issued.auth, renewAt: issued.renewAt };
        return { ok: true, auth: issued.auth };
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  rejected(auth: PreparedAuth): boolean {
    // Only drop what failed: a concurrent caller may already have renewed it.
    if (this.#cached?.auth === auth) this.#cached = undefined;
    return true;
  }

  /** Asks IAM for new credentials. Must not throw. */
  protected abstract issue(): Promise<IssueResult>;
}

/**
 * When to renew credentials that expire at `expiresAt`: a margin of min(1 h, 10% of their
 * lifetime) before; an hour after `requestedAt` when IAM did not say.
 */
export function renewalTime(
  times: { expiresAt?: number; issuedAt?: number },
  requestedAt: number,
): number {
  if (times.expiresAt === undefined) return requestedAt + UNKNOWN_LIFETIME_MS;
  const lifetime = times.expiresAt - (times.issuedAt ?? requestedAt);
  const margin = Math.min(MAX_MARGIN_MS, Math.max(0, lifetime) * MARGIN_SHARE);
  return times.expiresAt - margin;
}

/** An IAM time ("2025-11-11T07:24:03.529155Z") as epoch ms; undefined for anything else. */
export function iamTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
