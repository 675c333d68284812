import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

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
  private identity: { key: string; at: number; context: string } | undefined;

  /** A pooled copy of `kc` (same clusters, users and contexts; `kc` itself is unchanged). */
  static from(kc: KubeConfig): PooledKubeConfig {
    if (kc instanceof PooledKubeConfig) return kc;
    const pooled = new PooledKubeConfig();
    pooled.loadFromOptions({
      clusters: kc.clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
    });
    return pooled;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    const key = await this.tlsIdentity();
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

  /** A digest of everything the TLS connection depends on: cluster, CA, client cert and key. */
  private async tlsIdentity(): Promise<string> {
    const now = Date.now();
    const context = this.getCurrentContext();
    const known = this.identity;
    if (known !== undefined && known.context === context && now - known.at < IDENTITY_TTL_MS)
      return known.key;
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
    const key = createHash('sha256')
      .update(JSON.stringify([this.getCurrentCluster()?.server, tls]))
      .digest('hex');
    this.identity = { key, at: now, context };
    return key;
  }
}
