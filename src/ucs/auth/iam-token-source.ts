import type { PasswordCredentials } from '../credentials.js';
import { DEFAULT_IAM_ENDPOINT } from '../credentials.js';
import { errorFromAnswer, headerText, ucsError, type UcsError } from '../errors.js';
import type { HttpSender } from '../http/http-sender.js';
import type { AuthStrategy, PreparedAuth, PrepareResult } from './auth-strategy.js';
import { parseIamEndpoint } from './iam-endpoint.js';
import { LoginBackoff } from './login-backoff.js';

/** Tokens live 24 h; when IAM does not say, assume less and renew after this. */
const UNKNOWN_LIFETIME_MS = 60 * 60_000;
/** Renew this long before expiry at most ... */
const MAX_MARGIN_MS = 60 * 60_000;
/** ... and at most this share of the lifetime (short-lived tokens in tests, odd IAMs). */
const MARGIN_SHARE = 0.1;

interface CachedToken {
  token: string;
  auth: PreparedAuth;
  renewAt: number;
}

/**
 * A domain-scoped IAM user token for password credentials (POST /v3/auth/tokens, token in
 * X-Subject-Token). Cached until a safety margin before `expires_at`; concurrent callers share
 * one token request; after a 401/403 from UCS the token is dropped so that the next call
 * fetches a new one (a token can be revoked early, e.g. on a password change). A refused
 * login is remembered with backoff (see LoginBackoff): IAM locks users out.
 */
export class IamTokenAuth implements AuthStrategy {
  readonly renewal = 'a freshly issued IAM token';
  readonly #credentials: PasswordCredentials;
  readonly #backoff: LoginBackoff;
  #cached: CachedToken | undefined;
  #inFlight: Promise<PrepareResult> | undefined;

  constructor(
    credentials: PasswordCredentials,
    private readonly http: HttpSender,
    private readonly now: () => number,
  ) {
    this.#credentials = credentials;
    this.#backoff = new LoginBackoff(now);
  }

  prepare(): Promise<PrepareResult> {
    const cached = this.#cached;
    if (cached !== undefined && this.now() < cached.renewAt) {
      return Promise.resolve({ ok: true, auth: cached.auth });
    }
    const refused = this.#backoff.blocked();
    if (refused !== undefined) return Promise.resolve({ ok: false, error: refused });
    this.#inFlight ??= this.fetchToken()
      .then((result): PrepareResult => {
        if (result.ok) {
          this.#backoff.succeeded();
          return result;
        }
        return { ok: false, error: this.#backoff.failed(result.error) };
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  rejected(auth: PreparedAuth): boolean {
    // Only drop the token that failed: a concurrent caller may already have renewed it.
    if (this.#cached?.auth === auth) this.#cached = undefined;
    return true;
  }

  private async fetchToken(): Promise<PrepareResult> {
    const credentials = this.#credentials;
    const endpoint = parseIamEndpoint(credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT);
    if (!(endpoint instanceof URL)) return { ok: false, error: endpoint };
    const domain = { name: credentials.domainName };
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: credentials.username, password: credentials.password, domain },
          },
        },
        // UCS is a global service: it takes a domain-scoped token.
        scope: { domain },
      },
    });
    const requestedAt = this.now();
    const sent = await this.http.send({
      endpoint,
      method: 'POST',
      // Without the service catalogue the answer is a few hundred bytes instead of many KB.
      path: '/v3/auth/tokens?nocatalog=true',
      headers: { 'Content-Type': 'application/json;charset=utf8' },
      body,
      service: 'IAM',
      operation: 'CreateIamToken',
    });
    if (!sent.ok) return { ok: false, error: explain(sent.error) };
    const { answer } = sent;
    if (answer.status !== 201 && answer.status !== 200) {
      const error = errorFromAnswer(answer, 'IAM', this.now(), [credentials.password]);
      return { ok: false, error: explain(error) };
    }
    const token = headerText(answer.headers['x-subject-token']);
    if (token === undefined) {
      return {
        ok: false,
        error: ucsError(
          'InvalidResponse',
          `IAM answered HTTP ${answer.status} without an X-Subject-Token header`,
        ),
      };
    }
    const auth: PreparedAuth = { headers: () => ({ 'X-Auth-Token': token }), secrets: [token] };
    this.#cached = { token, auth, renewAt: renewAt(answer.body, requestedAt) };
    return { ok: true, auth };
  }
}

/** When to renew: a margin before expires_at of min(1 h, 10% of the token's lifetime). */
function renewAt(body: string, requestedAt: number): number {
  const times = tokenTimes(body);
  if (times.expiresAt === undefined) return requestedAt + UNKNOWN_LIFETIME_MS;
  const lifetime = times.expiresAt - (times.issuedAt ?? requestedAt);
  const margin = Math.min(MAX_MARGIN_MS, Math.max(0, lifetime) * MARGIN_SHARE);
  return times.expiresAt - margin;
}

function tokenTimes(body: string): { expiresAt?: number; issuedAt?: number } {
  try {
    const parsed = JSON.parse(body) as { token?: { expires_at?: unknown; issued_at?: unknown } };
    const at = (value: unknown): number | undefined => {
      if (typeof value !== 'string') return undefined;
      const ms = Date.parse(value);
      return Number.isNaN(ms) ? undefined : ms;
    };
    const out: { expiresAt?: number; issuedAt?: number } = {};
    const expiresAt = at(parsed.token?.expires_at);
    const issuedAt = at(parsed.token?.issued_at);
    if (expiresAt !== undefined) out.expiresAt = expiresAt;
    if (issuedAt !== undefined) out.issuedAt = issuedAt;
    return out;
  } catch {
    return {};
  }
}

/** IAM's own refusals, worded for the person who wrote the credentials. */
function explain(error: UcsError): UcsError {
  switch (error.reason) {
    case 'Unauthorized':
      return {
        ...error,
        message: `IAM rejected the username/password/domainName (wrong or locked user?): ${error.message}`,
      };
    case 'Forbidden':
      return { ...error, message: `IAM refused to issue a token: ${error.message}` };
    case 'JobNotFound':
      // A 404 from IAM means a wrong IAM endpoint, not a missing job.
      return {
        ...error,
        reason: 'InvalidRequest',
        retryable: false,
        message: `the IAM endpoint has no token API (is iamEndpoint right?): ${error.message}`,
      };
    default:
      return { ...error, message: `cannot get an IAM token: ${error.message}` };
  }
}
