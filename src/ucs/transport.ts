import { AkSkAuth } from './auth/aksk-auth.js';
import { StaticTokenAuth, type AuthStrategy } from './auth/auth-strategy.js';
import { DomainIdLookup } from './auth/domain-id-lookup.js';
import { FederatedAuth } from './auth/federated-auth.js';
import { IamTokenAuth } from './auth/iam-token-source.js';
import { UcsClient, type GetJobResult, type UnchangedJob } from './client.js';
import {
  credentialsFingerprint,
  DEFAULT_IAM_ENDPOINT,
  secretValues,
  type UcsCredentials,
} from './credentials.js';
import { HttpSender, type RequestEvent } from './http/http-sender.js';
import { SingleFlight } from './http/single-flight.js';

export interface UcsTransportOptions {
  /** Requests per second for the whole process (UCS and IAM together). Default 10; Infinity or 0: none. */
  qps?: number;
  /** Bucket size of the rate limit. Default max(1, 2 * qps). */
  burst?: number;
  /** Requests in flight at once. Default 8. */
  maxConcurrent?: number;
  /** Whole-exchange time-out per request. Default 10 s. */
  timeoutMs?: number;
  /** Answers larger than this are InvalidResponse. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Extra CA certificates (PEM) trusted besides Node's default roots. */
  caBundle?: string;
  /** After every HTTP exchange (for metrics). Must not throw. */
  onRequest?: (event: RequestEvent) => void;
  /**
   * The OIDC ID token file for workload identity credentials (--id-token-file, a projected
   * ServiceAccount token): read at every exchange, never named by credentials themselves.
   */
  idTokenFile?: string;
  /** Clock for token expiry and Retry-After dates (tests). Default Date.now. */
  now?: () => number;
}

const DEFAULTS = {
  qps: 10,
  maxConcurrent: 8,
  timeoutMs: 10_000,
  maxResponseBytes: 4 * 1024 * 1024,
} as const;

/** Clients kept for reuse; beyond that the oldest are forgotten (rotated credentials). */
const MAX_CACHED_CLIENTS = 1024;

/**
 * Everything UCS calls share in one process: the rate limit, the concurrency cap, keep-alive
 * connections, IAM tokens and in-flight requests. Make one per process and ask it for clients.
 */
export class UcsTransport {
  private readonly http: HttpSender;
  private readonly now: () => number;
  private readonly inFlight = new SingleFlight<GetJobResult | UnchangedJob>();
  private readonly clients = new Map<string, UcsClient>();
  private readonly iamTokens = new Map<string, IamTokenAuth>();
  private readonly federated = new Map<string, FederatedAuth>();
  private readonly domainIds = new Map<string, DomainIdLookup>();
  private readonly idTokenFile: string | undefined;

  constructor(options: UcsTransportOptions = {}) {
    const qps = options.qps ?? DEFAULTS.qps;
    this.now = options.now ?? Date.now;
    this.idTokenFile = options.idTokenFile;
    this.http = new HttpSender({
      qps,
      burst: options.burst ?? Math.max(1, 2 * (Number.isFinite(qps) ? qps : 1)),
      maxConcurrent: options.maxConcurrent ?? DEFAULTS.maxConcurrent,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      ...(options.caBundle === undefined ? {} : { caBundle: options.caBundle }),
      ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
    });
  }

  /** A client for this endpoint and credentials; cheap to call for every request. */
  client(endpoint: string, credentials: UcsCredentials): UcsClient {
    const fingerprint = credentialsFingerprint(credentials);
    const identity = `${endpoint}\u0000${fingerprint}`;
    const cached = this.clients.get(identity);
    if (cached !== undefined) return cached;
    const client = new UcsClient(endpoint, credentials, {
      http: this.http,
      auth: this.authFor(credentials, fingerprint),
      shared: (key, task) => this.inFlight.run(key, task),
      identity,
      secrets: secretValues(credentials),
      now: this.now,
    });
    this.clients.set(identity, client);
    if (this.clients.size > MAX_CACHED_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }

  /** Closes idle connections. Clients keep working (new connections are opened). */
  close(): void {
    this.http.close();
  }

  private authFor(credentials: UcsCredentials, fingerprint: string): AuthStrategy {
    switch (credentials.kind) {
      case 'token':
        return new StaticTokenAuth(credentials.token);
      case 'aksk': {
        const hasDomain = credentials.domainID !== undefined && credentials.domainID !== '';
        // One account ID lookup per access key pair, whatever UCS endpoint it is used for.
        const lookup = hasDomain
          ? undefined
          : perCredentials(
              this.domainIds,
              fingerprint,
              () => new DomainIdLookup(credentials, this.http, this.now),
            );
        return new AkSkAuth(credentials, this.now, lookup);
      }
      case 'password':
        // One token per IAM user, whatever UCS endpoint it is used for.
        return perCredentials(
          this.iamTokens,
          fingerprint,
          () =>
            new IamTokenAuth(
              { ...credentials, iamEndpoint: credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT },
              this.http,
              this.now,
            ),
        );
      case 'federated':
        // One exchange per identity provider, whatever UCS endpoint it is used for.
        return perCredentials(
          this.federated,
          fingerprint,
          () => new FederatedAuth(credentials, this.idTokenFile, this.http, this.now),
        );
    }
  }
}

/** The entry for these credentials, made on first use; beyond the bound the oldest goes. */
function perCredentials<T>(map: Map<string, T>, fingerprint: string, make: () => T): T {
  let entry = map.get(fingerprint);
  if (entry === undefined) {
    entry = make();
    map.set(fingerprint, entry);
    if (map.size > MAX_CACHED_CLIENTS) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
  return entry;
}
