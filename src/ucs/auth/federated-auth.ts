import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DEFAULT_IAM_ENDPOINT, type FederatedCredentials } from '../credentials.js';
import {
  errorFromAnswer,
  headerText,
  redactError,
  ucsError,
  type HttpAnswer,
  type UcsError,
} from '../errors.js';
import type { HttpSender } from '../http/http-sender.js';
import { signingAuth } from './aksk-auth.js';
import { DomainIdLookup } from './domain-id-lookup.js';
import { parseIamEndpoint } from './iam-endpoint.js';
import {
  iamTime,
  renewalTime,
  RenewingAuth,
  type InputResult,
  type IssueResult,
} from './renewing-auth.js';

/** The protocol the vendor SDK names in the federation URL. */
const OIDC_PROTOCOL = 'oidc';
/** The lifetime the vendor SDK asks for (IamService.DEFAULT_DURATION_SECONDS): 6 h. */
const DURATION_SECONDS = 6 * 60 * 60;

type Step<T> = ({ ok: true } & T) | { ok: false; error: UcsError };

interface TemporaryKeys {
  accessKey: string;
  secretKey: string;
  securityToken: string;
  expiresAt?: number;
}

/**
 * Workload identity (keyless), the way the vendor SDK does it for `idpId` + `idTokenFile`
 * (BaseCredentials.updateFederalAuthTokenByIdToken and IamService in
 * @huaweicloud/huaweicloud-sdk-core):
 *
 * 1. read the ID token from the file, at every exchange, so a token the kubelet rotated is
 *    used from the next exchange on (and a refusal remembered for the old token does not
 *    hold back the new one);
 * 2. `POST /v3/OS-FEDERATION/identity_providers/{idpId}/protocols/oidc/auth` with
 *    `Authorization: Bearer <ID token>`, unsigned: an unscoped token in X-Subject-Token;
 * 3. `POST /v3.0/OS-CREDENTIAL/securitytokens` with that token in X-Auth-Token: temporary
 *    `access`, `secret`, `securitytoken` and `expires_at`;
 * 4. UCS is global, so requests need X-Domain-Id. The SDK's GlobalCredentials uses the
 *    configured domain id, else looks it up once per identity provider with
 *    `GET /v3/auth/domains` signed with the temporary keys (`domains[0].id`); so does this
 *    (DomainIdLookup, as for an access key pair).
 *
 * Requests are then signed with the temporary keys and X-Security-Token exactly as with an
 * access key pair. The keys are renewed a margin before they expire (RenewingAuth), and after
 * UCS refused them; IAM's refusals are remembered with backoff (RenewingAuth).
 */
export class FederatedAuth extends RenewingAuth<string> {
  readonly renewal = 'temporary access keys issued again for the ID token';
  /** Looked up with the temporary keys when the Secret has no domainID. */
  #domainID: string | undefined;

  constructor(
    private readonly credentials: FederatedCredentials,
    /** --id-token-file; undefined when the operator runs without it. */
    private readonly idTokenFile: string | undefined,
    private readonly http: HttpSender,
    now: () => number,
  ) {
    super(now);
  }

  override rejected(auth: Parameters<RenewingAuth['rejected']>[0]): boolean {
    // A wrong domain id is one reason UCS refuses: look it up again with the new keys.
    this.#domainID = undefined;
    return super.rejected(auth);
  }

  /** The ID token, read again at every exchange; keyed by its hash, never its value. */
  protected async input(): Promise<InputResult<string>> {
    const read = await this.readIdToken();
    if (!read.ok) return read;
    const key = createHash('sha256').update(read.token).digest('hex');
    return { ok: true, value: read.token, key };
  }

  protected async issue(idToken: string): Promise<IssueResult> {
    const iamEndpoint = this.credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT;
    const endpoint = parseIamEndpoint(iamEndpoint);
    if (!(endpoint instanceof URL)) return { ok: false, error: endpoint };
    // Everything IAM hands out on the way is as secret as the ID token.
    const secrets = [idToken];
    const fail = (error: UcsError): IssueResult => ({
      ok: false,
      error: redactError(error, secrets),
    });
    const requestedAt = this.now();
    const unscoped = await this.unscopedToken(endpoint, idToken, secrets);
    if (!unscoped.ok) return fail(unscoped.error);
    secrets.push(unscoped.token);
    const keys = await this.temporaryKeys(endpoint, unscoped.token, secrets);
    if (!keys.ok) return fail(keys.error);
    secrets.push(keys.secretKey, keys.securityToken);
    let domainID = this.credentials.domainID ?? this.#domainID;
    if (domainID === undefined) {
      const lookup = new DomainIdLookup({ ...keys, iamEndpoint }, this.http, this.now);
      const found = await lookup.get();
      if (!found.ok) return fail(found.error);
      domainID = this.#domainID = found.domainID;
    }
    const signed = signingAuth({ ...keys, domainID }, this.now);
    return {
      ok: true,
      auth: { headers: (request) => signed.headers(request), secrets },
      renewAt: renewalTime(
        keys.expiresAt === undefined ? {} : { expiresAt: keys.expiresAt },
        requestedAt,
      ),
    };
  }

  private async readIdToken(): Promise<Step<{ token: string }>> {
    const file = this.idTokenFile;
    if (file === undefined) {
      return invalid(
        'the credentials name an identity provider (idpId) for workload identity, but the operator runs without --id-token-file',
      );
    }
    let token: string;
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return invalid(
        `cannot read the ID token file ${file} (--id-token-file): ${typeof code === 'string' ? code : String(err)}; is the projected service account token mounted there?`,
      );
    }
    if (token === '') return invalid(`the ID token file ${file} (--id-token-file) is empty`);
    return { ok: true, token };
  }

  private async unscopedToken(
    endpoint: URL,
    idToken: string,
    secrets: readonly string[],
  ): Promise<Step<{ token: string }>> {
    const sent = await this.http.send({
      endpoint,
      method: 'POST',
      path: `/v3/OS-FEDERATION/identity_providers/${encodeURIComponent(this.credentials.idpId)}/protocols/${OIDC_PROTOCOL}/auth`,
      headers: { Authorization: `Bearer ${idToken}`, 'Content-Type': 'application/json' },
      body: '{}',
      service: 'IAM',
      operation: 'CreateUnscopedTokenWithIdToken',
    });
    const answer = this.answered(sent, 'exchange the ID token', secrets);
    if (!answer.ok) return answer;
    const token = headerText(answer.answer.headers['x-subject-token']);
    if (token === undefined) {
      return malformed(
        `IAM answered HTTP ${answer.answer.status} without an X-Subject-Token header`,
      );
    }
    return { ok: true, token };
  }

  private async temporaryKeys(
    endpoint: URL,
    unscopedToken: string,
    secrets: readonly string[],
  ): Promise<Step<TemporaryKeys>> {
    const sent = await this.http.send({
      endpoint,
      method: 'POST',
      path: '/v3.0/OS-CREDENTIAL/securitytokens',
      headers: { 'X-Auth-Token': unscopedToken, 'Content-Type': 'application/json;charset=utf8' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['token'], token: { duration_seconds: DURATION_SECONDS } },
        },
      }),
      service: 'IAM',
      operation: 'CreateTemporaryAccessKeyByToken',
    });
    const answer = this.answered(sent, 'get temporary access keys', [...secrets, unscopedToken]);
    if (!answer.ok) return answer;
    const credential = asObject(asObject(parseJson(answer.answer.body))?.credential);
    const text = (key: string): string | undefined => {
      const value = credential?.[key];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const accessKey = text('access');
    const secretKey = text('secret');
    const securityToken = text('securitytoken');
    if (accessKey === undefined || secretKey === undefined || securityToken === undefined) {
      return malformed(
        `IAM answered HTTP ${answer.answer.status} without credential.access, secret and securitytoken`,
      );
    }
    const expiresAt = iamTime(credential?.expires_at);
    return {
      ok: true,
      accessKey,
      secretKey,
      securityToken,
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
  }

  /** A 2xx answer, or IAM's refusal worded for the person who set up workload identity. */
  private answered(
    sent: { ok: true; answer: HttpAnswer } | { ok: false; error: UcsError },
    what: string,
    secrets: readonly string[],
  ): Step<{ answer: HttpAnswer }> {
    if (!sent.ok)
      return {
        ok: false,
        error: { ...sent.error, message: `cannot ${what}: ${sent.error.message}` },
      };
    const { answer } = sent;
    if (answer.status >= 200 && answer.status < 300) return { ok: true, answer };
    // Redacted before it is cut to length: IAM may echo the token it refused.
    const error = errorFromAnswer(answer, 'IAM', this.now(), secrets);
    const idp = `identity provider "${this.credentials.idpId}"`;
    switch (error.reason) {
      case 'Unauthorized':
      case 'Forbidden':
        // Retrying the same token will not help; a rotated token or a fixed IAM setup will.
        return {
          ok: false,
          error: {
            ...error,
            reason: 'CredentialsInvalid',
            retryable: false,
            message: `IAM refused to ${what} for ${idp} (is the token unexpired, its audience the identity provider's client ID, and its issuer the provider's URL?): ${error.message}`,
          },
        };
      case 'JobNotFound':
        return {
          ok: false,
          error: {
            ...error,
            reason: 'CredentialsInvalid',
            retryable: false,
            message: `IAM has no such API or ${idp} (are idpId and iamEndpoint right?): ${error.message}`,
          },
        };
      default:
        return { ok: false, error: { ...error, message: `cannot ${what}: ${error.message}` } };
    }
  }
}

function invalid(message: string): { ok: false; error: UcsError } {
  return { ok: false, error: ucsError('CredentialsInvalid', message) };
}

function malformed(message: string): { ok: false; error: UcsError } {
  return { ok: false, error: ucsError('InvalidResponse', message) };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
