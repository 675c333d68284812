import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const SEED_ID = 'c7678551-1f7e-4699-9ea1-3baa2d32f552';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** Path and query exactly as they go on the wire. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Give up after this long (rejects with an AbortError). */
  timeoutMs?: number;
  ca?: string;
}

/**
 * A plain node:http request: it sends exactly the path and headers given (fetch would add
 * and normalise some), which signature tests need.
 */
export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body ?? '';
  const headers: Record<string, string> = { ...req.headers };
  if (body !== '') headers['Content-Length'] = String(Buffer.byteLength(body));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method ?? 'GET',
        path: req.path,
        headers,
        agent: false,
        ...(req.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(req.timeoutMs) }),
        ...(req.ca === undefined ? {} : { ca: req.ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function getJob(
  baseUrl: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return send(baseUrl, { path: `/v1/policy/jobs/${id}`, headers });
}

/** JSON admin call under /_sim/. */
export async function admin(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await send(baseUrl, {
    method,
    path: `/_sim/${path}`,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, json: JSON.parse(res.body) as unknown };
}

/** The parsed body of a job answer, typed loosely enough for assertions. */
export interface JobBody {
  metadata: Record<string, string>;
  spec: {
    taskList: {
      metadata: Record<string, string>;
      spec: Record<string, unknown>;
      status: Record<string, string>;
    }[];
    [key: string]: unknown;
  };
  status: Record<string, string>;
  [key: string]: unknown;
}

export function jobBody(res: RawResponse): JobBody {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as JobBody;
}
