import { DEFAULT_IAM_ENDPOINT } from '../credentials.js';
import { errorFromAnswer, ucsError, type UcsError } from '../errors.js';
import type { HttpSender } from '../http/http-sender.js';
import { parseIamEndpoint } from './iam-endpoint.js';
import { LoginBackoff } from './login-backoff.js';
import { keyPairOf, signRequest, type SigningCredentials } from './sdk-signer.js';

export type DomainIdResult = { ok: true; domainID: string } | { ok: false; error: UcsError };

export const AUTH_DOMAINS_PATH = '/v3/auth/domains';

/**
 * The account (domain) ID of an access key pair, looked up as the vendor SDK's
 * GlobalCredentials does when none is configured: IAM's KeystoneListAuthDomains,
 * `GET {iamEndpoint}/v3/auth/domains` signed with the same AK/SK (and X-Security-Token),
 * taking `domains[0].id`. A global service such as UCS refuses AK/SK calls without it in
 * X-Domain-Id. Looked up once (concurrent callers share the request) and kept until UCS answers
 * 401 (`forget`); a refusal by IAM is remembered with backoff (LoginBackoff).
 */
export class DomainIdLookup {
  readonly #signing: SigningCredentials;
  readonly #iamEndpoint: string;
  readonly #backoff: LoginBackoff;
  #domainID: string | undefined;
  #inFlight: Promise<DomainIdResult> | undefined;

  constructor(
    credentials: SigningCredentials & { iamEndpoint?: string },
    private readonly http: HttpSender,
    private readonly now: () => number,
  ) {
    this.#signing = keyPairOf(credentials);
    this.#iamEndpoint = credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT;
    this.#backoff = new LoginBackoff(now);
  }

  get(): Promise<DomainIdResult> {
    if (this.#domainID !== undefined) {
      return Promise.resolve({ ok: true, domainID: this.#domainID });
    }
    const refused = this.#backoff.blocked();
    if (refused !== undefined) return Promise.resolve({ ok: false, error: refused });
    this.#inFlight ??= this.lookUp()
      .then((result): DomainIdResult => {
        if (!result.ok) return { ok: false, error: this.#backoff.failed(result.error) };
        this.#backoff.succeeded();
        this.#domainID = result.domainID;
        return result;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /** UCS refused a request made with this domain ID: look it up again next time. */
  forget(domainID: string): void {
    if (this.#domainID === domainID) this.#domainID = undefined;
  }

  private async lookUp(): Promise<DomainIdResult> {
    const endpoint = parseIamEndpoint(this.#iamEndpoint);
    if (!(endpoint instanceof URL)) return { ok: false, error: endpoint };
    const signing = this.#signing;
    const sent = await this.http.send({
      endpoint,
      method: 'GET',
      path: AUTH_DOMAINS_PATH,
      // IAM's page marks Content-Type mandatory for this GET; the SDK sends and signs one too.
      headers: { 'Content-Type': 'application/json;charset=utf8' },
      body: '',
      service: 'IAM',
      operation: 'KeystoneListAuthDomains',
      authorize: (request) => signRequest(request, signing, new Date(this.now())),
    });
    if (!sent.ok) return { ok: false, error: prefixed(sent.error) };
    const { answer } = sent;
    if (answer.status < 200 || answer.status >= 300) {
      const secrets = [signing.secretKey, signing.securityToken ?? ''];
      return { ok: false, error: explain(errorFromAnswer(answer, 'IAM', this.now(), secrets)) };
    }
    const listed = firstDomainId(answer.body);
    if (!listed.ok) {
      return {
        ok: false,
        error: ucsError(
          'InvalidResponse',
          `IAM answered ${AUTH_DOMAINS_PATH} with HTTP ${answer.status} but no JSON object`,
          { httpStatus: answer.status },
        ),
      };
    }
    const { domainID } = listed;
    if (domainID === undefined) {
      return {
        ok: false,
        error: ucsError(
          'CredentialsInvalid',
          `IAM lists no account for this access key (${AUTH_DOMAINS_PATH} gave no domains[0].id); set domainID (the account ID) in the Secret`,
          { httpStatus: answer.status },
        ),
      };
    }
    return { ok: true, domainID };
  }
}

/** `domains[0].id` of a KeystoneListAuthDomains answer; not ok when it is no JSON object. */
function firstDomainId(body: string): { ok: true; domainID?: string } | { ok: false } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false };
  const domains = (parsed as { domains?: unknown }).domains;
  if (!Array.isArray(domains)) return { ok: true };
  const id = (domains[0] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.trim() !== ''
    ? { ok: true, domainID: id.trim() }
    : { ok: true };
}

function prefixed(error: UcsError): UcsError {
  return { ...error, message: `cannot look up the account ID at IAM: ${error.message}` };
}

/** IAM's own refusals: the access key pair (or the IAM endpoint) is wrong, not UCS. */
function explain(error: UcsError): UcsError {
  switch (error.reason) {
    case 'Unauthorized':
    case 'Forbidden':
      return {
        ...error,
        reason: 'CredentialsInvalid',
        retryable: false,
        message: `IAM refused the access key pair when looking up its account ID (${AUTH_DOMAINS_PATH}): ${error.message}`,
      };
    case 'JobNotFound':
      return {
        ...error,
        reason: 'CredentialsInvalid',
        retryable: false,
        message: `the IAM endpoint has no ${AUTH_DOMAINS_PATH} (is iamEndpoint right?): ${error.message}`,
      };
    default:
      return prefixed(error);
  }
}
