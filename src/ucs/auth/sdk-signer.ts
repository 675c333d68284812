/**
 * Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`), as the "API Request Signing Guide"
 * and the vendor SDK (`AKSKSigner` in @huaweicloud/huaweicloud-sdk-core) do it.
 *
 * Pure functions, usable on both sides of the wire: the client signs what it is about to send,
 * the simulator recomputes the signature from what it received (node's IncomingMessage
 * `url` and `headers` fit `SignableRequest` as they are).
 */
import { createHash, createHmac } from 'node:crypto';

export interface SignableRequest {
  /** HTTP method, e.g. 'GET'. Compared upper-cased. */
  method: string;
  /** Path with optional `?query`, exactly as sent on the wire, e.g. '/v1/policy/jobs/abc?x=1'. */
  url: string;
  /** Header names in any case; node's IncomingHttpHeaders fits. */
  headers: Record<string, string | string[] | undefined>;
  /** Request body; '' for GET. */
  body: string | Buffer;
}

export interface SigningCredentials {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials: sent and signed as X-Security-Token. */
  securityToken?: string;
  /** Account (domain) id for global services: sent and signed as X-Domain-Id. */
  domainID?: string;
}

/** The key pair (and security token) of credentials, without anything else they carry. */
export function keyPairOf(credentials: SigningCredentials): SigningCredentials {
  return {
    accessKey: credentials.accessKey,
    secretKey: credentials.secretKey,
    ...(credentials.securityToken === undefined
      ? {}
      : { securityToken: credentials.securityToken }),
  };
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

export const SDK_SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `YYYYMMDDTHHMMSSZ` in UTC, the X-Sdk-Date format. */
export function formatSdkDate(date: Date): string {
  // toISOString is always UTC: '2019-11-15T03:36:55.123Z' -> '20191115T033655Z'.
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Parses an X-Sdk-Date value; undefined unless it is a real UTC instant in the exact format. */
export function parseSdkDate(value: string): Date | undefined {
  const m = SDK_DATE.exec(value);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2019-13-40 over into 2020; a round trip rejects such values.
  return formatSdkDate(date) === value ? date : undefined;
}

/** RFC 3986 unreserved characters stay as they are; every other byte becomes %XX. */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

const HEX = '0123456789ABCDEF';

function percentEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const byte of bytes) {
    if (isUnreserved(byte) || (keepSlash && byte === 0x2f)) {
      out += String.fromCharCode(byte);
    } else {
      out += '%' + (HEX[byte >> 4] ?? '') + (HEX[byte & 0x0f] ?? '');
    }
  }
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * Percent-decodes to raw bytes. Malformed escapes ('%zz', a trailing '%') stay literal rather
 * than throwing: the signature must be computable for anything a client can put on the wire,
 * and both sides then agree on the same (odd) bytes.
 */
function percentDecodeToBytes(text: string, plusIsSpace: boolean): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] ?? 0;
    if (byte === 0x25 && i + 2 < raw.length) {
      const hi = hexValue(raw[i + 1] ?? 0);
      const lo = hexValue(raw[i + 2] ?? 0);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, n);
}

/**
 * CanonicalURI: the path unescaped, then each segment URI-encoded, with a trailing '/'.
 * An escaped slash (%2F) is unescaped like any other byte and so separates segments, as in
 * the Go and Python signers of the signing guide (which split the decoded path).
 */
function canonicalUri(rawPath: string): string {
  const encoded = percentEncodeBytes(percentDecodeToBytes(rawPath, false), true);
  const path = encoded.startsWith('/') ? encoded : '/' + encoded;
  return path.endsWith('/') ? path : path + '/';
}

/** Compares strings by UTF-16 code units, like Array.prototype.sort (and the vendor SDK). */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * CanonicalQueryString: parameters sorted by name, then value, each RFC 3986 encoded.
 * '+' on the wire means a space: the vendor SDK sends spaces as '+' (axios' serializer) and
 * signs them as %20, and it always sends a literal '+' as %2B.
 */
function canonicalQuery(rawQuery: string): string {
  const decoder = new TextDecoder('utf-8');
  const pairs: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    pairs.push([
      decoder.decode(percentDecodeToBytes(rawName, true)),
      decoder.decode(percentDecodeToBytes(rawValue, true)),
    ]);
  }
  pairs.sort((a, b) => byCodeUnit(a[0], b[0]) || byCodeUnit(a[1], b[1]));
  return pairs
    .map(
      ([name, value]) =>
        `${percentEncodeBytes(Buffer.from(name, 'utf8'), false)}=${percentEncodeBytes(Buffer.from(value, 'utf8'), false)}`,
    )
    .join('&');
}

/** Header values by lowercase name; repeated names are joined with ',' as HTTP allows. */
function headerLookup(headers: SignableRequest['headers']): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.map((v) => v.trim()).join(',') : value.trim();
    const key = name.toLowerCase();
    const previous = map.get(key);
    map.set(key, previous === undefined ? text : `${previous},${text}`);
  }
  return map;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function normaliseSignedHeaders(signedHeaders: readonly string[]): string[] {
  return [...new Set(signedHeaders.map((h) => h.trim().toLowerCase()))].sort(byCodeUnit);
}

/**
 * The canonical request:
 * METHOD\nCanonicalURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nhex(sha256(body)).
 * A signed header missing from the request is canonicalised with an empty value.
 */
export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const hashAt = req.url.indexOf('#');
  const url = hashAt < 0 ? req.url : req.url.slice(0, hashAt);
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt + 1);
  const names = normaliseSignedHeaders(signedHeaders);
  const values = headerLookup(req.headers);
  const canonicalHeaders = names.map((name) => `${name}:${values.get(name) ?? ''}\n`).join('');
  return [
    req.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

/** SDK-HMAC-SHA256\n<X-Sdk-Date>\nhex(sha256(canonical request)). */
export function stringToSign(canonicalRequest: string, sdkDate: string): string {
  return `${SDK_SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}

/** Hex HMAC-SHA256 with the SK as is (no derived key, unlike AWS SigV4). */
export function computeSignature(secretKey: string, stringToSign: string): string {
  return createHmac('sha256', secretKey).update(stringToSign).digest('hex');
}

/**
 * Parses `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`. The three parameters
 * may come in any order; anything else (another algorithm, a missing part) is undefined.
 */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const trimmed = header.trim();
  if (!trimmed.startsWith(SDK_SIGNING_ALGORITHM + ' ')) return undefined;
  const params = new Map<string, string>();
  for (const part of trimmed.slice(SDK_SIGNING_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKey = params.get('Access');
  const signed = params.get('SignedHeaders');
  const signature = params.get('Signature');
  if (accessKey === undefined || accessKey === '' || signed === undefined || signed === '') {
    return undefined;
  }
  if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) return undefined;
  return {
    accessKey,
    signedHeaders: signed.split(';').map((h) => h.toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

/**
 * Returns the headers to add: X-Sdk-Date, Authorization (and X-Security-Token / X-Domain-Id
 * when given). Signs host, content-type when present, x-sdk-date, and those extra headers,
 * like the vendor SDK. Headers of the same names already in `req` are replaced.
 */
export function signRequest(
  req: SignableRequest,
  credentials: SigningCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const sdkDate = formatSdkDate(now);
  const added: Record<string, string> = { 'X-Sdk-Date': sdkDate };
  if (credentials.securityToken !== undefined && credentials.securityToken !== '') {
    added['X-Security-Token'] = credentials.securityToken;
  }
  if (credentials.domainID !== undefined && credentials.domainID !== '') {
    added['X-Domain-Id'] = credentials.domainID;
  }
  const addedNames = new Set(Object.keys(added).map((n) => n.toLowerCase()));
  const headers: SignableRequest['headers'] = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!addedNames.has(name.toLowerCase())) headers[name] = value;
  }
  Object.assign(headers, added);

  const present = headerLookup(headers);
  const signed = [...addedNames];
  if (present.has('host')) signed.push('host');
  const contentType = present.get('content-type');
  // The vendor SDK leaves a multipart content-type unsigned (its boundary is set later).
  if (contentType !== undefined && !contentType.includes('multipart/form-data')) {
    signed.push('content-type');
  }
  const names = normaliseSignedHeaders(signed);
  const toSign = stringToSign(canonicalRequest({ ...req, headers }, names), sdkDate);
  const signature = computeSignature(credentials.secretKey, toSign);
  return {
    ...added,
    Authorization: `${SDK_SIGNING_ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
