import type { UcsError } from '../errors.js';
import type { AuthStrategy, PreparedAuth, PrepareResult } from './auth-strategy.js';
import { LoginBackoff } from './login-backoff.js';

/** When IAM does not say how long issued credentials live, assume less and renew after this. */
const UNKNOWN_LIFETIME_MS = 60 * 60_000;
/** Renew this long before expiry at most ... */
const MAX_MARGIN_MS = 60 * 60_000;
/** ... and at most this share of the lifetime (short-lived credentials in tests, odd IAMs). */
const MARGIN_SHARE = 0.1;

/** Credentials IAM issued, ready for requests until `renewAt` (epoch ms). */
export type IssueResult =
  { ok: true; auth: PreparedAuth; renewAt: number } | { ok: false; error: UcsError };

/** What IAM is asked with, read before each issue; `key` identifies it (never the value). */
export type InputResult<Input> =
  { ok: true; value: Input; key: string } | { ok: false; error: UcsError };

/**
 * Credentials that IAM issues and that expire (a password token, temporary AK/SK from an ID
 * token). Cached until a safety margin before their expiry; concurrent callers share one
 * issue; after a 401/403 from UCS they are dropped so that the next call gets new ones (IAM
 * can revoke them early, e.g. on a password change).
 *
 * A refusal by IAM (a wrong password, a refused ID token) is remembered with backoff
 * (LoginBackoff): IAM locks users out, and a refused token must not be sent again on every
 * reconcile of every resource. The backoff belongs to one input: when the input changes (the
 * kubelet rotated the ID token file), IAM is asked at once. Transient failures are not kept.
 */
export abstract class RenewingAuth<Input = undefined> implements AuthStrategy {
  abstract readonly renewal: string;
  #backoff: LoginBackoff;
  #inputKey = '';
  #cached: { auth: PreparedAuth; renewAt: number } | undefined;
  #inFlight: Promise<PrepareResult> | undefined;

  constructor(protected readonly now: () => number) {
    this.#backoff = new LoginBackoff(now);
  }

  prepare(): Promise<PrepareResult> {
    const cached = this.#cached;
    if (cached !== undefined && this.now() < cached.renewAt) {
      return Promise.resolve({ ok: true, auth: cached.auth });
    }
    this.#inFlight ??= this.renew().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  rejected(auth: PreparedAuth): boolean {
    // Only drop what failed: a concurrent caller may already have renewed it.
    if (this.#cached?.auth === auth) this.#cached = undefined;
    return true;
  }

  /** Reads what IAM is asked with (an ID token file). Must not throw. */
  protected abstract input(): Promise<InputResult<Input>>;

  /** Asks IAM for new credentials. Must not throw. */
  protected abstract issue(input: Input): Promise<IssueResult>;

  private async renew(): Promise<PrepareResult> {
    const input = await this.input();
    // Not IAM's answer (an unreadable file): nothing to hold against IAM.
    if (!input.ok) return input;
    if (input.key !== this.#inputKey) {
      this.#inputKey = input.key;
      this.#backoff = new LoginBackoff(this.now);
    }
    const refused = this.#backoff.blocked();
    if (refused !== undefined) return { ok: false, error: refused };
    const issued = await this.issue(input.value);
    if (!issued.ok) return { ok: false, error: this.#backoff.failed(issued.error) };
    this.#backoff.succeeded();
    this.#cached = { auth: issued.auth, renewAt: issued.renewAt };
    return { ok: true, auth: issued.auth };
  }
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
