import { TokenBucket } from 'limiter';
import pLimit, { type LimitFunction } from 'p-limit';

export interface LoadControlOptions {
  /** Requests per second, long-run average. Infinity or <= 0: no rate limit. */
  qps: number;
  /** Requests that may go at once after a quiet period (the bucket's size). */
  burst: number;
  /** Requests in flight at once. */
  maxConcurrent: number;
}

/**
 * One gate for every HTTP call of the process: a concurrency cap, then a token bucket. The
 * slot is taken first, so that requests wait in one FIFO queue and never burst out together
 * when slots free up; a request holds its slot while it waits for a token.
 */
export class LoadControl {
  private readonly bucket: TokenBucket | undefined;
  private readonly limit: LimitFunction;

  constructor(options: LoadControlOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new RangeError(
        `maxConcurrent must be a whole number >= 1, got ${options.maxConcurrent}`,
      );
    }
    this.limit = pLimit(options.maxConcurrent);
    if (Number.isFinite(options.qps) && options.qps > 0) {
      const burst = Math.max(1, Math.floor(options.burst));
      this.bucket = new TokenBucket({
        bucketSize: burst,
        tokensPerInterval: options.qps,
        interval: 1000,
      });
      // limiter's bucket starts empty; a fresh process may use its burst at once.
      this.bucket.content = burst;
    }
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      if (this.bucket !== undefined) await this.bucket.removeTokens(1);
      return task();
    });
  }

  get active(): number {
    return this.limit.activeCount;
  }

  get pending(): number {
    return this.limit.pendingCount;
  }
}
