import type { UcsError } from '../errors.js';

/** First pause after IAM refused a set of credentials, doubled after each refusal ... */
export const LOGIN_BACKOFF_BASE_MS = 60_000;
/** ... up to this. */
export const LOGIN_BACKOFF_MAX_MS = 60 * 60_000;

/**
 * Remembers that IAM refused one set of credentials (a wrong password, a revoked access key),
 * so that they are not tried again on every reconcile of every resource: IAM locks a user out
 * after repeated failed logins. After a refusal IAM is not asked again for a while (1 min,
 * doubling up to 1 h); meanwhile callers get the remembered error. Transient failures (5xx,
 * time-outs, 429) are not remembered: the operator's queue backs off from those. Credentials
 * that change (a fixed Secret) have another fingerprint, hence another LoginBackoff: they are
 * tried at once.
 */
export class LoginBackoff {
  #refusals = 0;
  #blocked: { until: number; error: UcsError } | undefined;

  constructor(private readonly now: () => number) {}

  /** The remembered refusal while IAM must not be asked again, else undefined. */
  blocked(): UcsError | undefined {
    const blocked = this.#blocked;
    return blocked !== undefined && this.now() < blocked.until ? blocked.error : undefined;
  }

  /** Records the outcome of one IAM call; returns the error to report (with the pause in it). */
  failed(error: UcsError): UcsError {
    if (error.retryable) return error;
    this.#refusals += 1;
    const pauseMs = Math.min(
      LOGIN_BACKOFF_MAX_MS,
      LOGIN_BACKOFF_BASE_MS * 2 ** Math.min(this.#refusals - 1, 16),
    );
    const until = this.now() + pauseMs;
    const noted: UcsError = {
      ...error,
      message: `${error.message} (IAM refused these credentials ${this.#refusals === 1 ? 'once' : `${this.#refusals} times in a row`}; not asked again before ${new Date(until).toISOString()}, or until the Secret changes)`,
    };
    this.#blocked = { until, error: noted };
    return noted;
  }

  succeeded(): void {
    this.#refusals = 0;
    this.#blocked = undefined;
  }
}
