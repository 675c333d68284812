/**
 * Equality of JSON values (what JSON.parse, the UCS schema and computeStatus produce: plain
 * objects, arrays, strings, numbers, booleans, null), for the comparisons made on every
 * reconcile: is the status what was written, did a job's answer change. It walks both values
 * without allocating, unlike util.isDeepStrictEqual, which reads every property's descriptor
 * and lists every object's keys (about a tenth of all the operator's allocations before).
 *
 * Two objects are equal when they have the same own enumerable keys with equal values; a key
 * whose value is undefined counts as a key (as in isDeepStrictEqual). Numbers compare with ===.
 * Prototypes, symbols and non-enumerable properties are not looked at: JSON has none of them.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) return false;
  if (aIsArray) return arraysEqual(a as unknown[], b as unknown[]);
  return objectsEqual(a as Record<string, unknown>, b as Record<string, unknown>);
}

function arraysEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
  return true;
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let keys = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue;
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
    keys++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) keys--;
  return keys === 0;
}
