import type { PolicyJobWatchStatus } from '../api/index.js';
import { isTerminal } from './compute-status.js';
import { isStalling } from './fetch-error.js';
import type { JobObservation } from './job-entry.js';
import type { Freshness } from './job-cache.js';

/**
 * The polling policy, as pure functions: how old a cached answer may be for a turn
 * (freshness), and what happens after a reconcile (nextAction). Table-tested.
 */

/**
 * A resource's own cached answer younger than this share of the poll interval is reused (a
 * reconcile soon after the last one fetches nothing); another resource's, for a whole interval.
 */
export const OWN_CACHE_SHARE = 0.8;
export const JITTER = 0.1;
/** A reconcile that took longer than its poll interval waits at least this share of it. */
export const MIN_REQUEUE_SHARE = 0.1;
/** A Retry-After is honoured, even past the poll interval, up to this bound. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** What should happen next for a resource (the reconcile itself never schedules anything). */
export type Action =
  | { kind: 'done' }
  | { kind: 'requeueAfter'; delayMs: number }
  /** A retryable failure: back off, at least `minDelayMs` (a Retry-After). */
  | { kind: 'backoff'; minDelayMs: number };

export interface AfterReconcile {
  status: PolicyJobWatchStatus;
  observations: ReadonlyMap<string, JobObservation>;
  suspend: boolean;
  pollMs: number;
  /** How long the reconcile took, from when it fetched. */
  elapsedMs: number;
  /** Draws a number in [0, 1) for the jitter (called only when polling again). */
  random: () => number;
}

/** After a reconcile: done (nothing open), back off (a retryable failure), or poll again. */
export function nextAction({
  status,
  observations,
  suspend,
  pollMs,
  elapsedMs,
  random,
}: AfterReconcile): Action {
  if (suspend) return { kind: 'done' };
  const retrying = [...observations.values()].flatMap((o) =>
    o.kind === 'failed' && !isStalling(o.error.reason) ? [o.error] : [],
  );
  if (retrying.length > 0) {
    const retryAfterMs = Math.max(0, ...retrying.map((e) => (e.retryAfterSeconds ?? 0) * 1000));
    return { kind: 'backoff', minDelayMs: Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) };
  }
  // Stalled fetches are checked again at the poll interval: a created Secret or a fixed
  // token is picked up without anyone touching the resource.
  const open = (status.jobs ?? []).some((j) => !isTerminal(j));
  if (!open) return { kind: 'done' };
  // The interval runs from when this reconcile started (when it fetched), not from when its
  // writes ended: otherwise every poll would be late by the time a reconcile takes.
  const jitter = 1 + JITTER * (2 * random() - 1);
  const delayMs = Math.max(pollMs * jitter - elapsedMs, pollMs * MIN_REQUEUE_SHARE);
  return { kind: 'requeueAfter', delayMs: Math.round(delayMs) };
}

/** How old a cached answer may be for this turn (see Freshness). */
export function freshness(
  requester: string,
  why: 'request' | 'spec' | 'poll' | 'news',
  pollMs: number,
): Freshness {
  switch (why) {
    // The requested-at annotation asks for a fresh answer: nothing cached is reused.
    case 'request':
      return { requester, ownMs: 0, othersMs: 0 };
    // A new or edited resource: nothing of its own is reused, but an answer another resource
    // got moments ago is (resources created together share their first call).
    case 'spec':
      return { requester, ownMs: 0, othersMs: pollMs * OWN_CACHE_SHARE };
    // News of a shared job: every answer comes from the cache; the poll schedule fetches.
    case 'news':
      return { requester, ownMs: Infinity, othersMs: Infinity };
    case 'poll':
      return { requester, ownMs: pollMs * OWN_CACHE_SHARE, othersMs: pollMs };
  }
}
