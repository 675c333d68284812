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
