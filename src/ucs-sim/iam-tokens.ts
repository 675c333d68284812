import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { stableUuid } from './job-timeline.js';
import { iamTimestamp } from './timestamps.js';
import { iamError, jsonResponse, type SimResponse } from './ucs-errors.js';

// IAM's POST /v3/auth/tokens for a domain-scoped password token, and the registry of the
// tokens it issued: they are valid in X-Auth-Token until they expire or are revoked.

export interface IamAccount {
  user: string;
  password: string;
  domain: string;
  /** Token lifetime; IAM's is 24 h. */
  ttlMs: number;
  /** The account ID; default: derived from the domain name. */
  domainId?: string;
}

export type TokenState = 'valid' | 'expired' | 'revoked' | 'unknown';

interface IssuedToken {
  expiresAtMs: number;
  revoked: boolean;
}

const named = z.object({ name: z.string() });

/** Only what IAM needs to check; IAM ignores fields it does not know. */
const passwordAuthSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((m) => m.includes('password'), {
        error: 'methods must include "password"',
      }),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: named }),
      }),
    }),
    scope: z
      .object({ domain: z.object({ name: z.string().optional(), id: z.string().optional() }) })
      .optional(),
  }),
});

/** A stable account ID for a domain name, as a real one is: 32 hex digits. */
export function accountIdFor(domainName: string): string {
  return stableUuid('domain', domainName).replaceAll('-', '');
}

/** Compares secrets in constant time, so response timing does not leak them. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class IamTokenIssuer {
  private readonly tokens = new Map<string, IssuedToken>();
  private issuedCount = 0;

  constructor(
    private readonly account: IamAccount,
    private readonly now: () => number,
    private readonly toMicros: (epochMs: number) => number,
  ) {}

  /** Handles POST /v3/auth/tokens with a raw request body. */
  issue(rawBody: string): SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return iamError(400, 'The request body is not valid JSON.');
    }
    const result = passwordAuthSchema.safeParse(parsed);
    if (!result.success) {
      return iamError(400, `Invalid request body: ${result.error.issues[0]?.message ?? 'unknown'}`);
    }
    const { identity, scope } = result.data.auth;
    const user = identity.password.user;
    const credentialsMatch =
      sameSecret(user.name, this.account.user) &&
      sameSecret(user.password, this.account.password) &&
      user.domain.name === this.account.domain;
    if (!credentialsMatch) return iamError(401, 'The username or password is wrong.');
    // UCS is a global service and only takes tokens scoped to the account (domain),
    // named by name or by id.
    const domainId = this.domainId();
    const scoped = scope?.domain.name === this.account.domain || scope?.domain.id === domainId;
    if (!scoped) {
      return iamError(400, `UCS needs a token scoped to domain "${this.account.domain}".`);
    }

    const issuedMs = this.now();
    const expiresAtMs = issuedMs + this.account.ttlMs;
    // Real tokens are a few KB of base64 starting with "MII"; a shorter one does as well here.
    const token = `MIIS${randomBytes(96).toString('base64')}`;
    this.prune(issuedMs);
    this.tokens.set(token, { expiresAtMs, revoked: false });
    this.issuedCount += 1;
    const domain = { name: this.account.domain, id: domainId };
    const body = {
      token: {
        expires_at: iamTimestamp(this.toMicros(expiresAtMs)),
        methods: ['password'],
        domain,
        roles: [{ name: 'te_admin', id: '0' }],
        issued_at: iamTimestamp(this.toMicros(issuedMs)),
        user: {
          domain,
          name: this.account.user,
          password_expires_at: '',
          id: stableUuid('user', this.account.user).replaceAll('-', ''),
        },
      },
    };
    return jsonResponse(201, body, { 'X-Subject-Token': token });
  }

  /** The account id this IAM reports (stable for a domain name, like a real one). */
  domainId(): string {
    return this.account.domainId ?? accountIdFor(this.account.domain);
  }

  state(token: string): TokenState {
    const issued = this.tokens.get(token);
    if (issued === undefined) return 'unknown';
    if (issued.revoked) return 'revoked';
    return this.now() >= issued.expiresAtMs ? 'expired' : 'valid';
  }

  /** Revokes one token, or every issued token when none is named. Returns how many. */
  revoke(token?: string): number {
    if (token !== undefined) {
      const issued = this.tokens.get(token);
      if (issued === undefined || issued.revoked) return 0;
      issued.revoked = true;
      return 1;
    }
    let count = 0;
    for (const issued of this.tokens.values()) {
      if (!issued.revoked) {
        issued.revoked = true;
        count += 1;
      }
    }
    return count;
  }

  clear(): void {
    this.tokens.clear();
    this.issuedCount = 0;
  }

  counts(): { issued: number; valid: number } {
    let valid = 0;
    const now = this.now();
    for (const t of this.tokens.values()) if (!t.revoked && now < t.expiresAtMs) valid += 1;
    return { issued: this.issuedCount, valid };
  }

  /** Forgets tokens long expired; runs on issue only, which is rare next to checks. */
  private prune(now: number): void {
    for (const [token, issued] of this.tokens) {
      if (now >= issued.expiresAtMs + this.account.ttlMs) this.tokens.delete(token);
    }
  }
}
