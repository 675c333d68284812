/**
 * What an error answer's body says. The UCS page documents it only as "String"; Huawei's
 * convention is `{"error_code", "error_msg"}`, the official Node SDK also reads
 * `{"error": {"code", "message"}}`, and gateways answer with HTML pages. Unknown shapes give
 * their text, stripped of markup and truncated, so that the status stays readable.
 */
import { redact } from './redact.js';

export interface ErrorBodyDetails {
  code?: string;
  message?: string;
  /** API gateways put it in the body too ("request_id"). */
  requestID?: string;
}

export const MAX_ERROR_TEXT = 300;

/**
 * `secrets` are redacted from every piece of text before it is truncated: a server that echoes
 * a 3,000-character token would otherwise leave its first few hundred characters behind.
 */
export function errorBodyDetails(body: string, secrets: readonly string[] = []): ErrorBodyDetails {
  const clean = (text: string, max: number): string => truncate(redact(text, secrets), max);
  const json = parseObject(body);
  if (json !== undefined) {
    const nested = json.error;
    const inner =
      typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : {};
    const code = scalar(json.error_code) ?? scalar(inner.code) ?? scalar(json.code);
    const message =
      scalar(json.error_msg) ??
      scalar(inner.message) ??
      scalar(json.message) ??
      (typeof nested === 'string' ? nested : undefined);
    const details: ErrorBodyDetails = {};
    if (code !== undefined) details.code = clean(code, 64);
    const requestID = scalar(json.request_id);
    if (requestID !== undefined) details.requestID = clean(requestID, 128);
    if (message !== undefined) details.message = clean(oneLine(message), MAX_ERROR_TEXT);
    else if (code === undefined) details.message = clean(oneLine(body), MAX_ERROR_TEXT);
    return details;
  }
  const text = looksLikeHtml(body) ? htmlText(body) : oneLine(body);
  return text === '' ? {} : { message: clean(text, MAX_ERROR_TEXT) };
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

function looksLikeHtml(body: string): boolean {
  return /<\/?[a-z][\s\S]*>/i.test(body);
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** The visible text of an HTML page: scripts, styles and tags removed, entities decoded. */
export function htmlText(html: string): string {
  const withoutCode = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  const text = withoutCode
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#')) {
        const code =
          name[1] === 'x' || name[1] === 'X'
            ? parseInt(name.slice(2), 16)
            : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    });
  return oneLine(text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // Do not cut a surrogate pair in half.
  const cut = Array.from(text.slice(0, max - 1));
  if (cut.length > 0 && /[\uD800-\uDBFF]$/.test(cut[cut.length - 1] ?? '')) cut.pop();
  return `${cut.join('')}…`;
}
