export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Errors that retrying cannot fix end the wait at once. */
  fatal?: (err: unknown) => boolean;
}

/** Retries `probe` until it resolves; the last error is thrown after the time-out. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 200, fatal = () => false }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (fatal(err) || Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
