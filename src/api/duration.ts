/**
 * Go-like durations ("45s", "2m", "1h", "1m30s", "1.5m", "250ms"): the form of spec.pollInterval.
 * The CRD checks them with CEL's duration(), which parses Go's time.ParseDuration syntax; this
 * module is the operator's side of the same rule.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const TERM = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * The pattern the CRD puts on spec.pollInterval: the syntax above with bounded digits and
 * terms, so CEL's duration() can never overflow (it would fail with an evaluation error rather
 * than a clear message). `[.]` instead of `\.` keeps it free of escapes in CEL and YAML.
 */
export const DURATION_PATTERN = '^([0-9]{1,5}([.][0-9]{1,9})?(ms|s|m|h)){1,4}$';

/** Milliseconds in a duration such as "1m30s", or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(TERM)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  if (!Number.isFinite(total)) return undefined;
  // Go durations count nanoseconds: round away binary noise such as 1.1s = 1100.0000000000002.
  return Math.round(total * 1e6) / 1e6;
}

/** The shortest duration text for whole milliseconds, e.g. 90_000 -> "1m30s", 0 -> "0s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}
