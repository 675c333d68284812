import type { AkSkCredentials } from '../credentials.js';
import type { AuthStrategy, PreparedAuth, PrepareResult } from './auth-strategy.js';
import type { DomainIdLookup } from './domain-id-lookup.js';
import { keyPairOf, signRequest, type SigningCredentials } from './sdk-signer.js';

/**
 * Signs each request with the access key pair (host, x-sdk-date, X-Domain-Id, and
 * X-Security-Token when given). The signature is made when the request leaves, so a long wait
 * in the rate limiter cannot push X-Sdk-Date out of the gateway's 15-minute window.
 *
 * UCS is a global service: the gateway wants the account ID in X-Domain-Id. It is the Secret's
 * `domainID` when given, else looked up at IAM (DomainIdLookup), as the vendor SDK's
 * GlobalCredentials does; a 401 from UCS makes it look the ID up again.
 */
export class AkSkAuth implements AuthStrategy {
  readonly renewal = 'the account ID looked up again at IAM';
  readonly #signing: SigningCredentials;
  readonly #fixed: PreparedAuth | undefined;
  #looked: { domainID: string; auth: PreparedAuth } | undefined;

  constructor(
    credentials: AkSkCredentials,
    private readonly now: () => number,
    private readonly lookup: DomainIdLookup | undefined,
  ) {
    this.#signing = keyPairOf(credentials);
    if (credentials.domainID !== undefined && credentials.domainID !== '') {
      this.#fixed = this.authFor(credentials.domainID);
    }
  }

  async prepare(): Promise<PrepareResult> {
    if (this.#fixed !== undefined) return { ok: true, auth: this.#fixed };
    if (this.lookup === undefined) return { ok: true, auth: this.authFor(undefined) };
    const found = await this.lookup.get();
    if (!found.ok) return found;
    if (this.#looked?.domainID !== found.domainID) {
      this.#looked = { domainID: found.domainID, auth: this.authFor(found.domainID) };
    }
    return { ok: true, auth: this.#looked.auth };
  }

  rejected(auth: PreparedAuth, status: 401 | 403): boolean {
    // A 403 is a missing permission, which another account ID would not fix.
    if (status !== 401 || this.#fixed !== undefined || this.lookup === undefined) return false;
    // Only forget the ID that failed: a concurrent caller may already have looked it up anew.
    if (this.#looked?.auth === auth) {
      this.lookup.forget(this.#looked.domainID);
      this.#looked = undefined;
    }
    return true;
  }

  private authFor(domainID: string | undefined): PreparedAuth {
    return signingAuth(
      domainID === undefined ? this.#signing : { ...this.#signing, domainID },
      this.now,
    );
  }
}

/** Headers signed with an access key pair when the request leaves (also temporary keys). */
export function signingAuth(signing: SigningCredentials, now: () => number): PreparedAuth {
  return {
    headers: (request) => signRequest(request, signing, new Date(now())),
    secrets: [signing.secretKey, signing.securityToken ?? ''],
  };
}
