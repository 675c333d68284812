import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import {
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type RequestContext,
} from '@kubernetes/client-node';
import { Http2Transport, type TlsTarget } from './http2-transport.js';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** Connection pools kept per TLS identity; an older one (a rotated client cert) is closed. */
const MAX_POOLS = 4;
/**
 * How long a computed TLS identity is trusted before the kubeconfig's files are read again: a
 * client certificate rotated on disk is used for new connections within this time.
 */
const IDENTITY_TTL_MS = 10_000;

/**
 * A KubeConfig whose API clients share one connection pool per cluster and TLS identity.
 *
 * client-node 2.0 builds a new undici Agent in `applySecurityAuthentication` for every request,
 * so every request to kube-apiserver opens its own TLS connection (HTTP/2), with a full
 * handshake on both sides, and the connection lingers until it times out. At a few hundred
 * requests a second that is hundreds of open connections: hundreds of MiB of native memory and
 * most of the operator's CPU (found with `npm run bench -- --profile`, see bench/README.md).
 * This keeps the first Agent made for a given set of TLS options and hands it to every later
 * request with the same options, as client-go's transport cache does. Credentials sent as
 * headers (tokens) are still applied per request, so token rotation keeps working.
 */
export class PooledKubeConfig extends KubeConfig {
  private readonly pools = new Map<string, Dispatcher>();
  private identity: { target: TlsTarget; at: number; context: string } | undefined;
  private readonly transport: Http2Transport;

  /** `userAgent`: the User-Agent of every request (the operator's name and version). */
  constructor(userAgent = 'policyjobwatch') {
    super();
    this.transport = new Http2Transport({ target: () => this.tlsTarget(), userAgent });
  }

  /**
   * A pooled copy of `kc` (same clusters, users and contexts; `kc` itself is unchanged).
   * `userAgent` names the client in the apiserver's audit log and metrics.
   */
  static from(kc: KubeConfig, userAgent?: string): PooledKubeConfig {
    if (kc instanceof PooledKubeConfig) return kc;
    const pooled = new PooledKubeConfig(userAgent);
    pooled.loadFromOptions({
      clusters: kc.clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
    });
    return pooled;
  }

  /**
   * API clients that send over HTTP/2 (Http2Transport: one multiplexed connection per TLS
   * identity). A cluster behind a proxy or on plain http:// keeps client-node's library.
   */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster || cluster.proxyUrl || !cluster.server.startsWith('https:'))
      return super.makeApiClient(apiClientType);
    const config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: this },
      httpApi: wrapHttpLibrary(this.transport),
    });
    return new apiClientType(config);
  }

  /** Open HTTP/2 connections to the apiserver. */
  get http2Connections(): number {
    return this.transport.connections;
  }

  /** Closes the HTTP/2 connections (requests in flight finish first), for shutdown. */
  closeConnections(): void {
    this.transport.close();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    const { key } = await this.tlsTarget();
    const shared = this.pools.get(key);
    if (shared !== undefined) {
      // The fresh Agent never connected and holds nothing: left to the garbage collector.
      context.setDispatcher(shared);
      return;
    }
    this.pools.set(key, fresh);
    if (this.pools.size > MAX_POOLS) {
      const [oldestKey, oldest] = this.pools.entries().next().value ?? [];
      if (oldestKey !== undefined) this.pools.delete(oldestKey);
      void oldest?.close();
    }
  }

  /** Open connection pools (for tests and metrics). */
  get poolCount(): number {
    return this.pools.size;
  }

  /**
   * The TLS options of the current context and a digest of everything the connection depends
   * on (cluster, CA, client cert and key), read again after IDENTITY_TTL_MS.
   */
  private async tlsTarget(): Promise<TlsTarget> {
    const now = Date.now();
    const context = this.getCurrentContext();
    const known = this.identity;
    if (known !== undefined && known.context === context && now - known.at < IDENTITY_TTL_MS)
      return known.target;
    const options: RequestOptions = {};
    await this.applyToHTTPSOptions(options);
    const tls = this.createDispatcherOptions(this.getCurrentCluster(), {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      ...(options.rejectUnauthorized === undefined
        ? {}
        : { rejectUnauthorized: options.rejectUnauthorized }),
      ...(options.servername === undefined ? {} : { servername: options.servername }),
    });
    const server = this.getCurrentCluster()?.server ?? '';
    const key = createHash('sha256')
      .update(JSON.stringify([server, tls]))
      .digest('hex');
    const target: TlsTarget = { key, origin: server, tls: 'connect' in tls ? tls.connect : {} };
    this.identity = { target, at: now, context };
    return target;
  }
}
