import { DEFAULT_IAM_ENDPOINT, type PasswordCredentials } from '../credentials.js';
import { errorFromAnswer, headerText, ucsError, type UcsError } from '../errors.js';
import type { HttpSender } from '../http/http-sender.js';
import type { PreparedAuth } from './auth-strategy.js';
import { parseIamEndpoint } from './iam-endpoint.js';
import {
  iamTime,
  renewalTime,
  RenewingAuth,
  type InputResult,
  type IssueResult,
} from './renewing-auth.js';

/**
 * A domain-scoped IAM user token for password credentials (POST /v3/auth/tokens, token in
 * X-Subject-Token), renewed before `expires_at` and after a 401/403 from UCS; a refused login
 * is remembered with backoff (RenewingAuth).
 */
export class IamTokenAuth extends RenewingAuth {
  readonly renewal = 'a freshly issued IAM token';
  readonly #credentials: PasswordCredentials;

  constructor(
    credentials: PasswordCredentials,
    private readonly http: HttpSender,
    now: () => number,
  ) {
    super(now);
    this.#credentials = credentials;
  }

  protected input(): Promise<InputResult<undefined>> {
    // The Secret is the whole input: another password is another IamTokenAuth.
    return Promise.resolve({ ok: true, value: undefined, key: '' });
  }

  protected async issue(): Promise<IssueResult> {
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
    return { ok: true, auth, renewAt: renewalTime(tokenTimes(answer.body), requestedAt) };
  }
}

function tokenTimes(body: string): { expiresAt?: number; issuedAt?: number } {
  try {
    const parsed = JSON.parse(body) as { token?: { expires_at?: unknown; issued_at?: unknown } };
    const out: { expiresAt?: number; issuedAt?: number } = {};
    const expiresAt = iamTime(parsed.token?.expires_at);
    const issuedAt = iamTime(parsed.token?.issued_at);
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
