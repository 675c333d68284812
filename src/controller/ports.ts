import type { UcsCredentials } from '../ucs/index.js';
import type { FetchError } from './fetch-error.js';
import type { WorkQueueMetrics } from './work-queue.js';

/**
 * What the controller needs from the world around it, as types it owns: the process runtime
 * (logging, metrics) and the Kubernetes adapters (src/kube) implement them; the controller
 * imports neither.
 */

/** The controller's name in metrics labels (controller-runtime's `controller` label). */
export const CONTROLLER_NAME = 'policyjobwatch';

/** Structured logging, a subset of winston's Logger. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  /** Whether debug lines are kept: winston formats a line before its level drops it. */
  isDebugEnabled(): boolean;
  child(meta: Record<string, unknown>): Logger;
}

/** The controller-runtime metrics the loop records (prom-client's counters fit). */
export interface ControllerMetrics {
  workQueue(name: string): WorkQueueMetrics;
  reconcileTotal: { inc(labels: { controller: string; result: string }): void };
  reconcileErrors: { inc(labels: { controller: string }): void };
  reconcileTime: { observe(labels: { controller: string }, seconds: number): void };
}

/** What an informer reports about a PolicyJobWatch. */
export type ChangeKind = 'add' | 'update' | 'delete';

/** The object an Event is about. */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

/** A credentials Secret, read and parsed, or why it could not be. */
export type CredentialsLookup =
  { ok: true; credentials: UcsCredentials } | { ok: false; error: FetchError };

/**
 * Thrown by a status writer when the apiserver refuses a status for its size (413, or etcd's
 * "request is too large"); the message is the apiserver's.
 */
export class StatusTooLargeError extends Error {
  override readonly name = 'StatusTooLargeError';
}
