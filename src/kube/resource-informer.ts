import {
  CustomObjectsApi,
  ListWatch,
  Watch,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type PolicyJobWatch } from '../api/index.js';
import type { ChangeKind, Logger } from '../controller/ports.js';
import { withoutKey } from '../controller/plain-objects.js';
import { apiMessage } from './kube-errors.js';

/**
 * How long the watch may stay broken before /readyz turns unready. Longer than the informer's
 * longest restart backoff (30 s) and the client's watch inactivity time-out (30 s, after which
 * it reconnects), so that one failed attempt or a quiet watch never flips readiness.
 */
export const WATCH_BROKEN_READY_BOUND_MS = 60_000;

/**
 * Ready: the cache was filled once, and the watch is open or broken for at most `boundMs`
 * (brokenSince: when the last open watch ended, undefined while one is open).
 */
export function watchReadiness(
  state: { synced: boolean; brokenSince: number | undefined },
  now: number,
  boundMs: number = WATCH_BROKEN_READY_BOUND_MS,
): { ready: boolean; reason: string } {
  if (!state.synced) return { ready: false, reason: 'informer not synced' };
  if (state.brokenSince !== undefined && now - state.brokenSince > boundMs) {
    const seconds = Math.round((now - state.brokenSince) / 1000);
    return {
      ready: false,
      reason: `the watch of PolicyJobWatch resources has been broken for ${seconds}s (bound ${boundMs / 1000}s)`,
    };
  }
  return { ready: true, reason: 'ok' };
}

/** client-node's Watch, telling when a watch opened (200) and when it ended. */
class ObservedWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly onOpen: () => void,
    private readonly onEnd: () => void,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const state = { ended: false };
    const controller = await super.watch(path, queryParams, callback, (err: unknown) => {
      state.ended = true;
      this.onEnd();
      done(err);
    });
    if (!state.ended) this.onOpen();
    return controller;
  }
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what the operator never reads and that can be larger than the rest of the object:
 * `metadata.managedFields` (server-side apply's bookkeeping, one entry per field manager with
 * every field it owns) and kubectl's last-applied copy of the object. client-go's informers do
 * the same with a transform (`TransformStripManagedFields`). Returns the same object.
 */
export function slimForCache(obj: PolicyJobWatch): PolicyJobWatch {
  // A copy without the key rather than `delete`: V8 turns an object a property was deleted
  // from into a hash table, about 450 bytes more for each of the cached resources.
  if (Object.hasOwn(obj.metadata, 'managedFields'))
    obj.metadata = withoutKey(obj.metadata, 'managedFields');
  const metadata = obj.metadata;
  if (metadata.annotations?.[LAST_APPLIED] !== undefined)
    metadata.annotations = withoutKey(metadata.annotations, LAST_APPLIED);
  return obj;
}

/**
 * A list-watch cache of PolicyJobWatch resources (all namespaces or one, optionally filtered
 * by labels). client-node's informer stops for good on some watch errors (a dead apiserver,
 * an expired resourceVersion); this one starts it again with backoff, so the cache survives
 * apiserver restarts.
 */
export class ResourceInformer {
  private readonly informer: Informer<PolicyJobWatch> & ObjectCache<PolicyJobWatch>;
  private restartDelayMs = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private hasSynced = false;
  private listed = false;
  /** When the last open watch ended; undefined while one is open. Starts broken. */
  private brokenSince: number | undefined;

  constructor(
    kc: KubeConfig,
    options: { namespace?: string; labelSelector?: string },
    private readonly log: Logger,
    onChange: (kind: ChangeKind, obj: PolicyJobWatch) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.brokenSince = now();
    const api = kc.makeApiClient(CustomObjectsApi);
    const { namespace, labelSelector } = options;
    const path = namespace
      ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`
      : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = async (): Promise<KubernetesListObject<PolicyJobWatch>> => {
      const selector = labelSelector === undefined ? {} : { labelSelector };
      const result: unknown = namespace
        ? await api.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            namespace,
            ...selector,
          })
        : await api.listClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural: PLURAL,
            ...selector,
          });
      this.listed = true;
      const objects = result as KubernetesListObject<PolicyJobWatch>;
      objects.items.forEach(slimForCache);
      return objects;
    };
    const watch = new ObservedWatch(
      kc,
      () => {
        this.brokenSince = undefined;
        this.restartDelayMs = 0;
      },
      () => {
        this.brokenSince ??= this.now();
      },
    );
    this.informer = new ListWatch(path, watch, list, false, labelSelector);
    // The informer hands its handlers the very object it caches: slimming it here slims the cache.
    this.informer.on('add', (obj) => {
      onChange('add', slimForCache(obj));
    });
    this.informer.on('update', (obj) => {
      onChange('update', slimForCache(obj));
    });
    this.informer.on('delete', (obj) => {
      onChange('delete', obj);
    });
    this.informer.on('error', (err: unknown) => {
      this.scheduleRestart(err);
    });
  }

  /** /readyz: synced, and the watch not broken for longer than WATCH_BROKEN_READY_BOUND_MS. */
  readiness(boundMs?: number): { ready: boolean; reason: string } {
    return watchReadiness(
      { synced: this.hasSynced, brokenSince: this.brokenSince },
      this.now(),
      boundMs,
    );
  }

  /** True once the first list has filled the cache. */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** Starts listing and watching; resolves once the first list filled the cache. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start();
    // A failed first list is retried by the error handler; wait for one to succeed.
    while (this.waitingForList()) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.hasSynced = this.listed;
  }

  private waitingForList(): boolean {
    return !this.listed && !this.stopped;
  }

  get(namespace: string, name: string): PolicyJobWatch | undefined {
    return this.informer.get(name, namespace);
  }

  list(): readonly PolicyJobWatch[] {
    return this.informer.list();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.restartTimer) return;
    this.restartDelayMs = Math.min(this.restartDelayMs > 0 ? this.restartDelayMs * 2 : 500, 30_000);
    this.log.warn('watch of PolicyJobWatch resources failed; restarting', {
      error: apiMessage(err),
      retryInMs: this.restartDelayMs,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      void this.informer.start().catch((e: unknown) => {
        this.scheduleRestart(e);
      });
    }, this.restartDelayMs);
  }
}
