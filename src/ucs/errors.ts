/**
 * Errors as values. Every failed call ends in one UcsError with a reason the operator can act
 * on; `retryable` says whether trying again later may help (the operator's queue does the
 * backoff: this client retries nothing itself but the one IAM token refresh).
 */
import { errorBodyDetails } from './error-body.js';
import { redact } from './redact.js';

export type UcsErrorReason =
  | 'InvalidRequest'
  | 'Unauthorized'
  | 'Forbidden'
  /** IAM refused the credentials (a wrong key, a refused ID token), or they cannot be read. */
  | 'CredentialsInvalid'
  | 'JobNotFound'
  | 'Throttled'
  | 'Unavailable'
  | 'InvalidResponse';

export interface UcsError {
  reason: UcsErrorReason;
  httpStatus?: number;
  /** The API's error code, e.g. "UCS.00000013" or "APIGW.0301". */
  code?: string;
  message: string;
  /** X-Request-Id: support asks for it. */
  requestID?: string;
  retryAfterSeconds?: number;
  retryable: boolean;
}

const RETRYABLE: Readonly<Record<UcsErrorReason, boolean>> = {
  InvalidRequest: false,
  Unauthorized: false,
  Forbidden: false,
  CredentialsInvalid: false,
  JobNotFound: false,
  Throttled: true,
  Unavailable: true,
  // A garbled answer is most likely a passing fault (a proxy, a deployment): worth a retry.
  InvalidResponse: true,
};

export function ucsError(
  reason: UcsErrorReason,
  message: string,
  extra: Partial<Omit<UcsError, 'reason' | 'message' | 'retryable'>> & { retryable?: boolean } = {},
): UcsError {
  const error: UcsError = { reason, message, retryable: extra.retryable ?? RETRYABLE[reason] };
  if (extra.httpStatus !== undefined) error.httpStatus = extra.httpStatus;
  if (extra.code !== undefined) error.code = extra.code;
  if (extra.requestID !== undefined) error.requestID = extra.requestID;
  if (extra.retryAfterSeconds !== undefined) error.retryAfterSeconds = extra.retryAfterSeconds;
  return error;
}

/** The reason for an HTTP status that is not a success. */
export function reasonForStatus(status: number): UcsErrorReason {
  if (status === 400) return 'InvalidRequest';
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'JobNotFound';
  if (status === 429) return 'Throttled';
  // 408 is the server giving up waiting: a time-out like any other.
  if (status === 408 || status >= 500) return 'Unavailable';
  if (status >= 300 && status < 400) return 'InvalidResponse';
  return 'InvalidRequest';
}

export interface HttpAnswer {
  status: number;
  headers: Readonly<Record<string, unknown>>;
  body: string;
}

/**
 * An error from a non-2xx answer. `service` names who answered ("UCS", "IAM") for the
 * message. The body may be `{error_code, error_msg}`, `{error: {code, message}}`, or anything
 * (an HTML gateway page): see error-body.ts. `secrets` are removed from the body's text before
 * it is cut to length (a cut echo of a long token would no longer match it).
 */
export function errorFromAnswer(
  answer: HttpAnswer,
  service: string,
  now = Date.now(),
  secrets: readonly string[] = [],
): UcsError {
  const details = errorBodyDetails(answer.body, secrets);
  // Keystone-style bodies repeat the status as their code ({"error": {"code": 401}}): noise.
  if (details.code === String(answer.status)) delete details.code;
  const requestID = headerText(answer.headers['x-request-id']) ?? details.requestID;
  const retryAfterSeconds = parseRetryAfter(headerText(answer.headers['retry-after']), now);
  const reason = reasonForStatus(answer.status);
  const what = details.message ?? (answer.body.trim() === '' ? 'empty body' : undefined);
  let message = `${service} answered HTTP ${answer.status}${details.code === undefined ? '' : ` ${details.code}`}${what === undefined ? '' : `: ${what}`}`;
  if (answer.status >= 300 && answer.status < 400) {
    const location = headerText(answer.headers.location);
    message += `; redirects are not followed (credentials must not travel to another place)${location === undefined ? '' : `, it points to ${location}`}`;
  }
  const extra: Parameters<typeof ucsError>[2] = { httpStatus: answer.status };
  if (details.code !== undefined) extra.code = details.code;
  if (requestID !== undefined) extra.requestID = requestID;
  if (retryAfterSeconds !== undefined) extra.retryAfterSeconds = retryAfterSeconds;
  // A redirect points at a misconfigured endpoint: retrying will not fix it.
  if (reason === 'InvalidResponse') extra.retryable = false;
  return ucsError(reason, message, extra);
}

/**
 * Retry-After as whole seconds from now: delta-seconds or an HTTP-date (RFC 9110). A date in
 * the past gives 0; anything unparseable gives undefined.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Only date-like text: Date.parse also reads plain numbers ("-5", "1.5") as years.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

export function redactError(error: UcsError, secrets: readonly string[]): UcsError {
  const message = redact(error.message, secrets);
  const out: UcsError = { ...error, message };
  if (error.code !== undefined) out.code = redact(error.code, secrets);
  if (error.requestID !== undefined) out.requestID = redact(error.requestID, secrets);
  return out;
}
