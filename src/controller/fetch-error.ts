/**
 * Why a job could not be fetched, as the status shows it. UCS errors (from the client) and the
 * operator's own refusals (credentials, endpoint) share this shape.
 */
export interface FetchError {
  reason: string;
  message: string;
  httpStatus?: number;
  code?: string;
  requestID?: string;
  /** Retrying may help (5xx, throttling, time-outs, malformed answers). */
  retryable: boolean;
  retryAfterSeconds?: number;
}

/** Reasons that retrying will not fix: the resource is Stalled until something changes. */
export const STALLING_REASONS: ReadonlySet<string> = new Set([
  'JobNotFound',
  'InvalidRequest',
  'Unauthorized',
  'Forbidden',
  'CredentialsNotFound',
  'CredentialsInvalid',
  'EndpointNotAllowed',
]);

export function isStalling(reason: string): boolean {
  return STALLING_REASONS.has(reason);
}
