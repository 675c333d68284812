/**
 * UCS timestamps come in several undocumented shapes (the seed mixes Go's time.String() and
 * RFC 3339 with an offset). Kubernetes wants RFC 3339: this turns each known shape into
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, keeping the fraction digits exactly as given (the API
 * uses microseconds; JS Date has only milliseconds, so the fraction never goes through a Date).
 */

// date, 'T' or ' ', time, optional fraction, then the zone part (parsed separately).
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(.*)$/i;

// Zone forms after the time:
//   'Z'                           RFC 3339 UTC
//   '+08:00' / '+0800' / '+08'    RFC 3339 (and ISO 8601 basic) offsets
//   ' +0800 CST' / ' +0000 UTC'   Go's time.String(): numeric offset then the zone's name
//   ' UTC' / ' GMT'               a bare name is only understood when it can only mean +0
//   ''                            no zone at all: taken as UTC. The Go SDK's parser reads
//                                 "2006-01-02T15:04:05" and "2006-01-02 15:04:05" the same
//                                 way (time.Parse without a zone gives UTC), and UCS itself
//                                 writes UTC in its metadata.
const NUMERIC_OFFSET = /^\s?([+-])(\d{2})(?::?(\d{2}))?(?:\s+[A-Za-z][A-Za-z0-9+_/-]*)?$/;
const UTC_NAMES = /^\s?(?:Z|UTC|GMT)$/i;
// Go appends the monotonic clock reading to time.String() of a time.Now() value: " m=+0.001".
const MONOTONIC = /\s+m=[+-]\d+(?:\.\d+)?$/;

// A job's timestamps come back on every poll unchanged: the answers are remembered, up to
// MEMO_SIZE texts (then forgotten all at once; a fleet's polls refill it within one interval).
// Texts longer than any timestamp shape are not kept (a hostile answer must not fill memory).
const MEMO_SIZE = 8192;
const MEMO_MAX_LENGTH = 64;
const memo = new Map<string, string | undefined>();

/** RFC 3339 UTC with the original fraction digits, or undefined when the shape is unknown. */
export function normalizeTimestamp(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (raw.length > MEMO_MAX_LENGTH) return normalize(raw);
  if (memo.has(raw)) return memo.get(raw);
  const normalized = normalize(raw);
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(raw, normalized);
  return normalized;
}

function normalize(raw: string): string | undefined {
  const match = SHAPE.exec(raw.trim().replace(MONOTONIC, ''));
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone = ''] = match;
  const offsetMinutes = parseZone(zone);
  if (offsetMinutes === undefined) return undefined;

  const fields = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Leap seconds (":60") are rejected, as Go's time.Parse does.
  if (hour > 23 || minute > 59 || second > 59) return undefined;

  // Whole seconds through Date (exact: integers), the fraction beside it as text.
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const iso = utc.toISOString(); // 'YYYY-MM-DDTHH:MM:SS.000Z', or '+YYYYYY-...' out of range
  if (!/^\d{4}-/.test(iso)) return undefined;
  return `${iso.slice(0, 19)}${fraction === undefined ? '' : `.${fraction}`}Z`;
}

/** Minutes east of UTC, or undefined for an unknown or out-of-range zone. */
function parseZone(zone: string): number | undefined {
  if (zone === '' || UTC_NAMES.test(zone)) return 0;
  const m = NUMERIC_OFFSET.exec(zone);
  if (m === null) return undefined;
  const [, sign, hh = '00', mm = '00'] = m;
  const hours = Number(hh);
  const minutes = Number(mm);
  if (hours > 23 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
