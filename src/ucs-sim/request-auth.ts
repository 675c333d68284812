import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  parseSdkDate,
  stringToSign,
} from '../ucs/auth/sdk-signer.js';
import type { FederationIssuer } from './federation.js';
import { sameSecret, type IamTokenIssuer } from './iam-tokens.js';

// How UCS (through its API gateway) decides who is calling: a token in X-Auth-Token (a
// configured one, or one this simulator's IAM issued), or an AK/SK signature, verified by
// rebuilding the canonical request from what arrived, with the client's own signer module:
// the configured access key, or temporary keys this simulator's IAM issued (workload identity).

/** The gateway rejects an X-Sdk-Date further than this from its clock. */
export const SDK_DATE_TOLERANCE_MS = 15 * 60_000;

export type AuthMethod = 'token' | 'iam' | 'aksk' | 'temporary-aksk' | 'none';

export type AuthRejection =
  | 'MissingCredentials'
  | 'WrongToken'
  | 'ExpiredToken'
  | 'RevokedToken'
  | 'MalformedAuthorization'
  | 'UnknownAccessKey'
  | 'StaleSdkDate'
  | 'BadSignature'
  | 'WrongSecurityToken'
  | 'ExpiredCredentials'
  | 'MissingDomainId'
  | 'WrongDomainId'
  | 'MethodDisabled';

export type AuthResult = { ok: true; method: AuthMethod } | { ok: false; reason: AuthRejection };

export interface AuthConfig {
  /** A fixed token accepted in X-Auth-Token. */
  token?: string;
  /** The access key and secret key accepted for AK/SK signing. */
  ak?: string;
  sk?: string;
  /** With temporary AK/SK, the X-Security-Token that must come along. */
  securityToken?: string;
  /**
   * The account (domain) ID the access key belongs to: AK/SK calls to a global service must
   * carry it in X-Domain-Id (default: derived from the IAM domain name).
   */
  domainId?: string;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export class RequestAuthenticator {
  private readonly revokedStatic = new Set<string>();

  constructor(
    private readonly config: AuthConfig,
    private readonly iam: IamTokenIssuer | undefined,
    private readonly now: () => number,
    private readonly federation?: FederationIssuer,
  ) {}

  /** With no method configured, UCS auth is not checked at all. */
  get enabled(): boolean {
    return (
      this.config.token !== undefined ||
      this.akskEnabled ||
      this.iam !== undefined ||
      this.federation !== undefined
    );
  }

  private get akskEnabled(): boolean {
    return this.config.ak !== undefined && this.config.sk !== undefined;
  }

  /**
   * `globalService`: the request is for UCS, a global service, where the gateway wants the
   * account ID of an AK/SK caller (temporary keys included) in X-Domain-Id (IAM's own APIs,
   * such as GET /v3/auth/domains which tells it, do not).
   */
  check(req: ReceivedRequest, globalService = true): AuthResult {
    if (!this.enabled) return { ok: true, method: 'none' };
    const authorization = header(req.headers, 'authorization');
    if (authorization !== undefined && authorization.trim() !== '') {
      const verdict = this.checkSignature(req, authorization);
      return verdict.ok && globalService ? this.checkDomainId(req, verdict.method) : verdict;
    }
    const token = header(req.headers, 'x-auth-token');
    if (token !== undefined && token !== '') return this.checkToken(token);
    return { ok: false, reason: 'MissingCredentials' };
  }

  /** Revokes the configured fixed token, if that is the one named. */
  revokeStatic(token: string): boolean {
    if (this.config.token === undefined || !sameSecret(token, this.config.token)) return false;
    this.revokedStatic.add(token);
    return true;
  }

  reset(): void {
    this.revokedStatic.clear();
  }

  private checkToken(token: string): AuthResult {
    if (this.config.token !== undefined && sameSecret(token, this.config.token)) {
      return this.revokedStatic.has(token)
        ? { ok: false, reason: 'RevokedToken' }
        : { ok: true, method: 'token' };
    }
    switch (this.iam?.state(token)) {
      case 'valid':
        return { ok: true, method: 'iam' };
      case 'expired':
        return { ok: false, reason: 'ExpiredToken' };
      case 'revoked':
        return { ok: false, reason: 'RevokedToken' };
      default:
        return { ok: false, reason: 'WrongToken' };
    }
  }

  private checkDomainId(req: ReceivedRequest, method: AuthMethod): AuthResult {
    const given = header(req.headers, 'x-domain-id') ?? '';
    if (given.trim() === '') return { ok: false, reason: 'MissingDomainId' };
    return given.trim() === this.config.domainId
      ? { ok: true, method }
      : { ok: false, reason: 'WrongDomainId' };
  }

  private checkSignature(req: ReceivedRequest, authorization: string): AuthResult {
    if (!this.akskEnabled && this.federation === undefined)
      return { ok: false, reason: 'MethodDisabled' };
    const parsed = parseAuthorization(authorization);
    if (parsed === undefined) return { ok: false, reason: 'MalformedAuthorization' };
    const key = this.signingKey(parsed.accessKey);
    if (key === undefined) return { ok: false, reason: 'UnknownAccessKey' };
    // X-Sdk-Date is the one header that must be signed: it bounds replays to the window.
    if (!parsed.signedHeaders.includes('x-sdk-date'))
      return { ok: false, reason: 'MalformedAuthorization' };
    const sdkDate = header(req.headers, 'x-sdk-date') ?? '';
    const signedAt = parseSdkDate(sdkDate);
    if (
      signedAt === undefined ||
      Math.abs(this.now() - signedAt.getTime()) > SDK_DATE_TOLERANCE_MS
    ) {
      return { ok: false, reason: 'StaleSdkDate' };
    }
    const signable = { method: req.method, url: req.url, headers: req.headers, body: req.body };
    const expected = computeSignature(
      key.secretKey,
      stringToSign(canonicalRequest(signable, parsed.signedHeaders), sdkDate),
    );
    if (!sameHex(expected, parsed.signature)) return { ok: false, reason: 'BadSignature' };
    if (key.securityToken !== undefined) {
      const given = header(req.headers, 'x-security-token') ?? '';
      if (
        !parsed.signedHeaders.includes('x-security-token') ||
        !sameSecret(given, key.securityToken)
      ) {
        return { ok: false, reason: 'WrongSecurityToken' };
      }
    }
    if (key.expiresAtMs === undefined) return { ok: true, method: 'aksk' };
    if (this.now() >= key.expiresAtMs) return { ok: false, reason: 'ExpiredCredentials' };
    return { ok: true, method: 'temporary-aksk' };
  }

  /** The secret key (and what must come with it) of an access key: configured or issued. */
  private signingKey(
    accessKey: string,
  ): { secretKey: string; securityToken?: string; expiresAtMs?: number } | undefined {
    const { ak, sk, securityToken } = this.config;
    if (ak !== undefined && sk !== undefined && sameSecret(accessKey, ak)) {
      return securityToken === undefined ? { secretKey: sk } : { secretKey: sk, securityToken };
    }
    return this.federation?.temporaryKey(accessKey);
  }
}
