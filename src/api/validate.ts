import type { z } from 'zod';
import { PolicyJobWatchSpecSchema } from './spec.js';
import { PolicyJobWatchStatusSchema } from './status.js';
import type { PolicyJobWatchSpec, PolicyJobWatchStatus } from './types.js';

export type SpecParseResult =
  { ok: true; spec: PolicyJobWatchSpec } | { ok: false; message: string };
export type StatusParseResult =
  { ok: true; status: PolicyJobWatchStatus } | { ok: false; message: string };

const MAX_LISTED_ISSUES = 10;

/** "spec.jobIDs[2]" from ["jobIDs", 2] under "spec". */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}

/** One line for a condition message: "spec.pollInterval must be between 5s and 1h; ...". */
export function describeIssues(root: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = fieldPath(root, issue.path);
    // Messages shared with the CRD's CEL rules name their field already.
    return issue.message.startsWith(`${root}.`) ? issue.message : `${path}: ${issue.message}`;
  });
  const unique = [...new Set(lines)];
  const shown = unique.slice(0, MAX_LISTED_ISSUES);
  const more = unique.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/**
 * Validates a spec the way the CRD does. The API server has validated it already; this is
 * defence in depth (an object stored before a CRD change, a CRD installed by hand), so that a
 * bad spec becomes a SpecInvalid condition rather than a crash.
 */
export function parsePolicyJobWatchSpec(obj: unknown): SpecParseResult {
  const result = PolicyJobWatchSpecSchema.safeParse(obj);
  return result.success
    ? { ok: true, spec: result.data }
    : { ok: false, message: describeIssues('spec', result.error) };
}

/** Validates a status before it is written, with the limits of the CRD. */
export function parsePolicyJobWatchStatus(obj: unknown): StatusParseResult {
  const result = PolicyJobWatchStatusSchema.safeParse(obj);
  return result.success
    ? { ok: true, status: result.data }
    : { ok: false, message: describeIssues('status', result.error) };
}
