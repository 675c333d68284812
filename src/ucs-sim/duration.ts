/** A span of time as scenario files and admin calls write it: "30s", "1m30s", "250ms", or milliseconds. */
export type Duration = string | number;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/**
 * Parses Go-style durations ("1h30m", "2.5s", "20ms"); a bare number is milliseconds.
 * Returns undefined for anything else so that callers can say where the bad value was.
 */
export function parseDuration(value: Duration): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    const [, amount = '0', unit = 'ms'] = match;
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return consumed === text.length && Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Like parseDuration, but throws with the option's name: for CLI flags. */
export function requireDuration(value: Duration, what: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new Error(
      `${what}: expected a duration like "30s", "1m30s" or "250ms", got "${String(value)}"`,
    );
  }
  return ms;
}
