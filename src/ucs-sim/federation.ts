import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { stableUuid } from './job-timeline.js';
import { OidcVerifier, type OidcIssuerConfig } from './oidc-verifier.js';
import { iamTimestamp } from './timestamps.js';
import { iamError, jsonResponse, type SimResponse } from './ucs-errors.js';

// IAM's workload identity federation, the two calls the vendor SDK makes for idpId +
// idTokenFile: POST /v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/oidc/auth (an
// OpenID Connect ID token, verified for real against its issuer, for an unscoped token) and
// POST /v3.0/OS-CREDENTIAL/securitytokens (that token for temporary AK/SK + security token).
// The temporary keys it issued are what the UCS side then accepts for signed requests.

export interface FederationConfig extends OidcIssuerConfig {
  /** The identity provider ID IAM knows the issuer by. */
  idpId: string;
  /** The account (domain) the federated users belong to: the simulator's one. */
  account: { id: string; name: string };
  /** Temporary keys live the duration asked for, at most this long (short in tests). */
  maxCredentialsTtlMs: number;
}

export interface TemporaryKey {
  secretKey: string;
  securityToken: string;
  expiresAtMs: number;
}

/** Unscoped federation tokens live 24 h, like IAM's. */
const UNSCOPED_TTL_MS = 24 * 3600_000;
/** IAM's bounds of duration_seconds: 15 minutes to 24 hours; 15 minutes when not given. */
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 86_400;

const securityTokensSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((m) => m.includes('token'), {
        error: 'methods must include "token"',
      }),
      token: z
        .object({
          id: z.string().optional(),
          duration_seconds: z.number().int().min(MIN_DURATION_S).max(MAX_DURATION_S).optional(),
        })
        .optional(),
    }),
  }),
});

export class FederationIssuer {
  private readonly verifier: OidcVerifier;
  private readonly unscoped = new Map<string, { expiresAtMs: number; subject: string }>();
  private readonly keys = new Map<string, TemporaryKey>();
  private exchanges = 0;

  constructor(
    private readonly config: FederationConfig,
    private readonly now: () => number,
    private readonly toMicros: (epochMs: number) => number,
    /** Where the simulator says why (IAM's answer does not): an unreadable issuer. */
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.verifier = new OidcVerifier(config, now);
  }

  /** POST /v3/OS-FEDERATION/identity_providers/{idpId}/protocols/{protocol}/auth */
  async exchangeIdToken(
    idpId: string,
    protocol: string,
    authorization: string | undefined,
  ): Promise<SimResponse> {
    if (idpId !== this.config.idpId) {
      return iamError(404, `Could not find Identity Provider: ${idpId}.`);
    }
    if (protocol !== 'oidc') return iamError(404, `Could not find Protocol: ${protocol}.`);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (bearer === undefined)
      return iamError(401, 'The request you have made requires authentication.');
    const verdict = await this.verifier.verify(bearer);
    if (!verdict.ok) {
      // IAM could not read the issuer's keys: its own failure, not the caller's.
      if (verdict.unavailable) {
        this.log(
          `IAM cannot read the signing keys of identity provider ${idpId}: ${verdict.message}`,
        );
        return iamError(500, `Failed to get the identity provider's signing keys.`);
      }
      return iamError(401, `The ID token is invalid: ${verdict.message}.`);
    }
    const issuedMs = this.now();
    const expiresAtMs = issuedMs + UNSCOPED_TTL_MS;
    const token = `MIIU${randomBytes(96).toString('base64')}`;
    this.prune(issuedMs);
    this.unscoped.set(token, { expiresAtMs, subject: verdict.subject });
    this.exchanges += 1;
    const domain = { name: this.config.account.name, id: this.config.account.id };
    return jsonResponse(
      201,
      {
        token: {
          expires_at: iamTimestamp(this.toMicros(expiresAtMs)),
          methods: ['mapped'],
          issued_at: iamTimestamp(this.toMicros(issuedMs)),
          user: {
            'OS-FEDERATION': {
              identity_provider: { id: idpId },
              protocol: { id: protocol },
              groups: [],
            },
            domain,
            name: verdict.subject,
            id: stableUuid('federated', idpId, verdict.subject).replaceAll('-', ''),
          },
          roles: [],
        },
      },
      { 'X-Subject-Token': token },
    );
  }

  /** POST /v3.0/OS-CREDENTIAL/securitytokens with an unscoped token. */
  securityTokens(authToken: string | undefined, rawBody: string): SimResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return iamError(400, 'The request body is not valid JSON.');
    }
    const result = securityTokensSchema.safeParse(parsed);
    if (!result.success) {
      return iamError(400, `Invalid request body: ${result.error.issues[0]?.message ?? 'unknown'}`);
    }
    const { token } = result.data.auth.identity;
    const given = authToken ?? token?.id;
    const unscoped = given === undefined ? undefined : this.unscoped.get(given);
    if (unscoped === undefined || this.now() >= unscoped.expiresAtMs) {
      return iamError(401, 'The request you have made requires authentication.');
    }
    const issuedMs = this.now();
    const askedMs = (token?.duration_seconds ?? MIN_DURATION_S) * 1000;
    const expiresAtMs = issuedMs + Math.min(askedMs, this.config.maxCredentialsTtlMs);
    const access = randomBytes(15)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .toUpperCase()
      .padEnd(20, 'X')
      .slice(0, 20);
    const key: TemporaryKey = {
      secretKey: randomBytes(30)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, '')
        .padEnd(40, 'x')
        .slice(0, 40),
      securityToken: `gQpjbi1ub3J0aC00${randomBytes(180).toString('base64')}`,
      expiresAtMs,
    };
    this.keys.set(access, key);
    return jsonResponse(201, {
      credential: {
        access,
        secret: key.secretKey,
        securitytoken: key.securityToken,
        expires_at: iamTimestamp(this.toMicros(expiresAtMs)),
      },
    });
  }

  /** A temporary key this IAM issued (expired ones included, until pruned). */
  temporaryKey(accessKey: string): TemporaryKey | undefined {
    return this.keys.get(accessKey);
  }

  counts(): { exchanges: number; temporaryKeys: number } {
    return { exchanges: this.exchanges, temporaryKeys: this.keys.size };
  }

  clear(): void {
    this.unscoped.clear();
    this.keys.clear();
    this.exchanges = 0;
  }

  private prune(now: number): void {
    for (const [token, entry] of this.unscoped)
      if (now >= entry.expiresAtMs) this.unscoped.delete(token);
    for (const [access, key] of this.keys)
      if (now >= key.expiresAtMs + UNSCOPED_TTL_MS) this.keys.delete(access);
  }
}
