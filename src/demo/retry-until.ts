/**
 * Retries `probe` every 200 ms until it resolves; past `deadline`, or at once for an error that
 * `fatal` says retrying cannot fix, throws its last error, naming what it waited for.
 */
export async function retryUntil<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T>,
  fatal: (err: unknown) => boolean = () => false,
): Promise<T> {
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (fatal(err) || Date.now() > deadline) {
        throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
