import type { UcsError } from '../errors.js';
import type { SignableRequest } from './sdk-signer.js';

/** Credentials made ready for one request: the headers to add when it is sent. */
export interface PreparedAuth {
  headers(request: SignableRequest): Record<string, string>;
  /** Values these headers carry that must never appear in a message (an issued token). */
  secrets: readonly string[];
}

export type PrepareResult = { ok: true; auth: PreparedAuth } | { ok: false; error: UcsError };

/** How a kind of credentials authenticates requests. */
export interface AuthStrategy {
  /** What `rejected` renews, for the message when the renewed credentials fail too. */
  readonly renewal: string;
  /** Gets what a request needs (an IAM token may be fetched here, before any queueing). */
  prepare(): Promise<PrepareResult>;
  /**
   * The server refused `auth` (401/403). Returns true when renewed credentials might be
   * accepted, i.e. one more attempt is worth it (an IAM token, a looked-up account ID).
   */
  rejected(auth: PreparedAuth, status: 401 | 403): boolean;
}

/** A user token as given, in X-Auth-Token. */
export class StaticTokenAuth implements AuthStrategy {
  readonly renewal = 'nothing renewable';
  readonly #auth: PreparedAuth;

  constructor(token: string) {
    this.#auth = { headers: () => ({ 'X-Auth-Token': token }), secrets: [token] };
  }

  prepare(): Promise<PrepareResult> {
    return Promise.resolve({ ok: true, auth: this.#auth });
  }

  rejected(): boolean {
    return false;
  }
}
