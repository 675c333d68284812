import { get } from 'node:https';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';

// How IAM checks an OpenID Connect ID token before it trusts it: the issuer's discovery
// document (/.well-known/openid-configuration) names its key set (jwks_uri, on Kubernetes
// /openid/v1/jwks); the token's signature must verify with one of those keys, and its iss, aud
// and exp must be right. Both documents are read again for every token, anonymously over
// HTTPS, so a rotated signing key is seen at once. JWT handling is jose's, not ours.

export interface OidcIssuerConfig {
  /** The issuer, exactly as in the tokens' iss (the apiserver's --service-account-issuer). */
  issuer: string;
  /** The audience tokens must be minted for (IAM's client ID of the identity provider). */
  audience: string;
  /** PEM CA bundle for the issuer's HTTPS (a local apiserver's CA); default: the system roots. */
  ca?: string;
}

export type VerifyResult =
  | { ok: true; subject: string }
  /** `unavailable`: the issuer could not be read (not the token's fault). */
  | { ok: false; message: string; unavailable: boolean };

const FETCH_TIMEOUT_MS = 5_000;
const MAX_DOCUMENT_BYTES = 1 << 20;
const JWKS_ACCEPT = 'application/jwk-set+json, application/json';

export class OidcVerifier {
  constructor(
    private readonly config: OidcIssuerConfig,
    private readonly now: () => number,
  ) {}

  async verify(token: string): Promise<VerifyResult> {
    let keys: ReturnType<typeof createLocalJWKSet>;
    try {
      keys = createLocalJWKSet(await this.keySet());
    } catch (err) {
      return { ok: false, message: errorText(err), unavailable: true };
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ['RS256', 'ES256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp'],
      });
      return { ok: true, subject: payload.sub ?? '' };
    } catch (err) {
      return { ok: false, message: errorText(err), unavailable: false };
    }
  }

  private async keySet(): Promise<JSONWebKeySet> {
    const issuer = this.config.issuer;
    const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const discovery = (await this.getJson(discoveryUrl, 'application/json')) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    };
    // OpenID Connect Discovery 1.0, 4.3: the document's issuer must be the one asked about.
    if (discovery.issuer !== issuer) {
      throw new Error(
        `the discovery document at ${discoveryUrl} names issuer ${JSON.stringify(discovery.issuer)}, not ${issuer}`,
      );
    }
    if (typeof discovery.jwks_uri !== 'string') {
      throw new Error(`the discovery document at ${discoveryUrl} has no jwks_uri`);
    }
    // RFC 7517's media type: the apiserver answers 406 to a request for application/json only.
    const jwks = (await this.getJson(discovery.jwks_uri, JWKS_ACCEPT)) as { keys?: unknown };
    if (!Array.isArray(jwks.keys)) throw new Error(`${discovery.jwks_uri} holds no keys`);
    return jwks as JSONWebKeySet;
  }

  /** An anonymous HTTPS GET, TLS verified, of a JSON document. */
  private getJson(url: string, accept: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = get(
        url,
        {
          timeout: FETCH_TIMEOUT_MS,
          headers: { Accept: accept },
          ...(this.config.ca === undefined ? {} : { ca: this.config.ca }),
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            if (body.length > MAX_DOCUMENT_BYTES) req.destroy(new Error(`${url} is too large`));
          });
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new Error(`GET ${url} answered HTTP ${String(res.statusCode)}`));
              return;
            }
            try {
              resolve(JSON.parse(body));
            } catch {
              reject(new Error(`GET ${url} did not answer JSON`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on('error', reject);
    });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
