import type { AkSkCredentials } from '../credentials.js';
import type { AuthStrategy, PreparedAuth, PrepareResult } from './auth-strategy.js';
import { signRequest, type SigningCredentials } from './sdk-signer.js';

/**
 * Signs each request with the access key pair (host, x-sdk-date, and X-Security-Token /
 * X-Domain-Id when given). The signature is made when the request leaves, so a long wait in
 * the rate limiter cannot push X-Sdk-Date out of the gateway's 15-minute window.
 */
export class AkSkAuth implements AuthStrategy {
  readonly #auth: PreparedAuth;

  constructor(credentials: AkSkCredentials, now: () => number) {
    this.#auth = signingAuth(credentials, now);
  }

  prepare(): Promise<PrepareResult> {
    return Promise.resolve({ ok: true, auth: this.#auth });
  }

  rejected(): boolean {
    return false;
  }
}

/** Headers signed with an access key pair when the request leaves (also temporary keys). */
export function signingAuth(credentials: SigningCredentials, now: () => number): PreparedAuth {
  const signing: SigningCredentials = {
    accessKey: credentials.accessKey,
    secretKey: credentials.secretKey,
    ...(credentials.securityToken === undefined
      ? {}
      : { securityToken: credentials.securityToken }),
    ...(credentials.domainID === undefined ? {} : { domainID: credentials.domainID }),
  };
  return {
    headers: (request) => signRequest(request, signing, new Date(now())),
    secrets: [credentials.secretKey, credentials.securityToken ?? ''],
  };
}
