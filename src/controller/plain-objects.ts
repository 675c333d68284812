/**
 * Shallow copies of plain objects (parsed JSON, statuses), built key by key with `for...in`:
 * no pair arrays as with Object.entries, and never `delete`, which leaves V8 an object in
 * dictionary mode (a hash table, several hundred bytes larger) for as long as it is kept.
 */

/** Drops undefined values, so that "absent" and "undefined" compare equal. */
export function compact<T extends object>(obj: T): T {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in source)
    if (Object.hasOwn(source, k) && source[k] !== undefined) out[k] = source[k];
  return out as T;
}

/** A shallow copy of `obj` without `key`. */
export function withoutKey<T extends object>(obj: T, key: keyof T & string): T {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in source) if (k !== key && Object.hasOwn(source, k)) out[k] = source[k];
  return out as T;
}
