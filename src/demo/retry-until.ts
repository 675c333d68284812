/** Retries `probe` every 200 ms until it resolves; past `deadline`, throws its last error. */
export async function retryUntil<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T>,
): Promise<T> {
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
