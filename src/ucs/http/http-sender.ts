import axios, { AxiosHeaders, type AxiosInstance } from 'axios';
import { VERSION } from '../../version.js';
import type { SignableRequest } from '../auth/sdk-signer.js';
import { ucsError, type HttpAnswer, type UcsError } from '../errors.js';
import { AgentPool } from './agents.js';
import { LoadControl } from './load-control.js';

export interface HttpRequestSpec {
  /** Base URL (scheme, host, optional port and base path), already validated. */
  endpoint: URL;
  method: 'GET' | 'POST';
  /** Encoded path and optional query, appended to the endpoint's path. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Who answers, for messages: "UCS" or "IAM". */
  service: string;
  /** Operation name for onRequest: "ShowPolicyJob", "CreateIamToken". */
  operation: string;
  /**
   * Authentication headers, computed once the request may go (after the rate limit), so that
   * an AK/SK signature's X-Sdk-Date is the time it is sent.
   */
  authorize?: (request: SignableRequest) => Record<string, string>;
}

export type HttpOutcome = { ok: true; answer: HttpAnswer } | { ok: false; error: UcsError };

export interface RequestEvent {
  /** The endpoint's origin (scheme://host[:port]), a bounded set for metric labels. */
  endpoint: string;
  operation: string;
  /** The HTTP status, or 'error' when there was no answer. */
  code: string;
  durationSeconds: number;
}

export interface HttpSenderOptions {
  qps: number;
  burst: number;
  maxConcurrent: number;
  timeoutMs: number;
  maxResponseBytes: number;
  caBundle?: string;
  onRequest?: (event: RequestEvent) => void;
}

export const USER_AGENT = `policyjobwatch/${VERSION}`;

/**
 * Sends one HTTP request under the process-wide load control and returns the answer, whatever
 * its status, or an Unavailable/InvalidResponse error when there is none. Never throws.
 */
export class HttpSender {
  private readonly axios: AxiosInstance;
  private readonly agents: AgentPool;
  private readonly load: LoadControl;

  constructor(private readonly options: HttpSenderOptions) {
    this.load = new LoadControl(options);
    this.agents = new AgentPool({
      maxSockets: options.maxConcurrent,
      ...(options.caBundle === undefined ? {} : { caBundle: options.caBundle }),
    });
    this.axios = axios.create({
      // The proxy is chosen by AgentPool (with NO_PROXY); axios' own proxy support is off.
      proxy: false,
      timeout: options.timeoutMs,
      maxContentLength: options.maxResponseBytes,
      maxRedirects: 0,
      // Every status is an answer to classify, and the body is parsed by us, so that a
      // malformed body is an InvalidResponse rather than an exception.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
  }

  send(spec: HttpRequestSpec): Promise<HttpOutcome> {
    return this.load.run(() => this.sendNow(spec));
  }

  private async sendNow(spec: HttpRequestSpec): Promise<HttpOutcome> {
    const base = spec.endpoint.pathname.replace(/\/+$/, '');
    const url = new URL(spec.endpoint.origin + base + spec.path);
    const headers: Record<string, string> = {
      Host: url.host,
      'User-Agent': USER_AGENT,
      Accept: 'application/json',
      ...spec.headers,
    };
    if (spec.authorize !== undefined) {
      Object.assign(
        headers,
        spec.authorize({
          method: spec.method,
          url: url.pathname + url.search,
          headers,
          body: spec.body,
        }),
      );
    }
    const { httpAgent, httpsAgent } = this.agents.agentsFor(url);
    const started = performance.now();
    // axios' `timeout` is per socket read; this bounds the whole exchange (a server that
    // trickles bytes must not hold a worker forever).
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    let outcome: HttpOutcome;
    try {
      const response = await this.axios.request<string>({
        url: url.href,
        method: spec.method,
        headers,
        ...(spec.body === '' ? {} : { data: spec.body }),
        httpAgent,
        httpsAgent,
        signal: deadline,
      });
      const body = typeof response.data === 'string' ? response.data : String(response.data);
      outcome = {
        ok: true,
        answer: {
          status: response.status,
          headers: AxiosHeaders.from(response.headers as Record<string, string>).toJSON(),
          body,
        },
      };
    } catch (err) {
      outcome = { ok: false, error: this.failure(err, spec, deadline.aborted) };
    }
    try {
      this.options.onRequest?.({
        endpoint: spec.endpoint.origin,
        operation: spec.operation,
        code: outcome.ok ? String(outcome.answer.status) : 'error',
        durationSeconds: (performance.now() - started) / 1000,
      });
    } catch {
      // A metrics hook must not turn an answer into a failure.
    }
    return outcome;
  }

  /** Why there is no answer. */
  private failure(err: unknown, spec: HttpRequestSpec, timedOut: boolean): UcsError {
    const where = `${spec.service} at ${spec.endpoint.host}`;
    const code = errorCode(err);
    const text = err instanceof Error ? err.message : String(err);
    if (timedOut || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return ucsError('Unavailable', `${where} did not answer within ${this.options.timeoutMs} ms`);
    }
    if (text.includes('maxContentLength')) {
      return ucsError(
        'InvalidResponse',
        `${where} answered with more than ${this.options.maxResponseBytes} bytes`,
      );
    }
    if (code !== undefined && TLS_CODES.has(code)) {
      return ucsError(
        'Unavailable',
        `${where}: TLS verification failed (${code}: ${text}); is the right CA bundle configured?`,
      );
    }
    return ucsError(
      'Unavailable',
      `cannot reach ${where}: ${text}${code === undefined || text.includes(code) ? '' : ` (${code})`}`,
    );
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agents.destroy();
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  const cause = (err as { cause?: unknown }).cause;
  // axios wraps the socket error; its own code (ERR_BAD_RESPONSE...) is less telling.
  const causeCode =
    typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof causeCode === 'string') return causeCode;
  return typeof code === 'string' ? code : undefined;
}
