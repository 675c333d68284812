import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { CredentialsLookup } from '../controller/ports.js';
import { decodeSecretData, parseCredentials } from '../controller/credentials.js';
import type { FetchError } from '../controller/fetch-error.js';
import { apiMessage, apiStatus } from './kube-errors.js';

/**
 * Reads credentials Secrets with `get` only (no list/watch, so RBAC stays least-privilege),
 * through a short cache so that thousands of resources sharing one Secret cost one read per
 * `ttlMs`; a rotated Secret is picked up within that time, without a restart.
 */
export class SecretCredentials {
  private readonly api: CoreV1Api;
  private readonly cache = new Map<string, { at: number; value: Promise<CredentialsLookup> }>();

  constructor(
    kc: KubeConfig,
    private readonly ttlMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  get(namespace: string, name: string): Promise<CredentialsLookup> {
    const key = `${namespace}/${name}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.read(namespace, name);
    this.cache.set(key, { at: this.now(), value });
    if (this.cache.size > 10_000) this.sweep();
    return value;
  }

  private async read(namespace: string, name: string): Promise<CredentialsLookup> {
    const where = `Secret ${namespace}/${name}`;
    try {
      const secret = await this.api.readNamespacedSecret({ namespace, name });
      // Typed Secrets hold other things (a ServiceAccount token, a registry login): such a
      // value must never be sent to UCS, whatever its keys happen to be called.
      if (secret.type !== undefined && secret.type !== '' && secret.type !== 'Opaque') {
        return {
          ok: false,
          error: invalid(
            `${where} has type ${secret.type}; credentials are read from Opaque Secrets only`,
          ),
        };
      }
      const parsed = parseCredentials(decodeSecretData(secret));
      if (parsed.ok) return parsed;
      return { ok: false, error: invalid(`${where}: ${parsed.message}`) };
    } catch (err) {
      const status = apiStatus(err);
      if (status === 404) {
        return {
          ok: false,
          error: { reason: 'CredentialsNotFound', message: `${where} not found`, retryable: false },
        };
      }
      if (status === 403) {
        return {
          ok: false,
          error: invalid(`the operator may not read ${where} (forbidden): ${apiMessage(err)}`),
        };
      }
      // The apiserver itself failed: worth a retry, and not the user's fault.
      return {
        ok: false,
        error: {
          reason: 'CredentialsUnavailable',
          message: `cannot read ${where}: ${apiMessage(err)}`,
          retryable: true,
        },
      };
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.cache) if (now - entry.at >= this.ttlMs) this.cache.delete(key);
  }
}

function invalid(message: string): FetchError {
  return { reason: 'CredentialsInvalid', message, retryable: false };
}
