import { ApiException } from '@kubernetes/client-node';

/** HTTP status of a client-node API error, if it is one. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? (err as ApiException<unknown>).code : undefined;
}

/** A short message for logs and conditions: the apiserver's Status message when there is one. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = (err as ApiException<unknown>).body;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') return parsed.message;
      } catch {
        // Not JSON: fall through to the raw text.
      }
      return body.slice(0, 300);
    }
    if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
      return body.message;
    }
    return `HTTP ${String((err as ApiException<unknown>).code)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whether the apiserver refused a write for its size. Measured against kube-apiserver v1.35
 * and etcd v3.6: over 3 MiB of body, 413 "Request entity too large: limit is 3145728"; over
 * the 2 MiB gRPC message limit, 500 "rpc error: code = ResourceExhausted desc = trying to send
 * message larger than max"; over etcd's 1.5 MiB request limit, 500 "etcdserver: request is
 * too large".
 */
export function isTooLarge(err: unknown): boolean {
  const code = apiStatus(err);
  if (code === 413) return true;
  if (code !== 500 && code !== 422) return false;
  return /request is too large|request entity too large|ResourceExhausted|larger than max/i.test(
    apiMessage(err),
  );
}
