import { parseDuration as parseGoDuration } from '../api/duration.js';

/** A span of time as scenario files and admin calls write it: "30s", "1m30s", "250ms", or milliseconds. */
export type Duration = string | number;

/**
 * Go-style durations as spec.pollInterval takes them ("1h30m", "2.5s", "20ms"), surrounding
 * spaces allowed; a bare number is milliseconds. Undefined for anything else, so that callers
 * can say where the bad value was.
 */
export function parseDuration(value: Duration): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const ms = parseGoDuration(text);
  return ms === undefined ? undefined : Math.round(ms);
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
