import type { z } from 'zod';
import { parseUcsJob, type UcsJob } from './job.js';

export type ParseJobResult = { ok: true; job: UcsJob } | { ok: false; message: string };

const MAX_ISSUES = 3;

/**
 * Parses a 200 answer's body. Never throws: a body that is not JSON, not a JSON object, or
 * structurally wrong (see job.ts) gives a message for an InvalidResponse error. Messages name
 * paths and expected types, never the body's values.
 */
export function parseJob(body: string): ParseJobResult {
  const value = parseJsonObject(body);
  if (!value.ok) return value;
  const parsed = parseUcsJob(value.object);
  if (parsed.success) return { ok: true, job: parsed.data };
  return {
    ok: false,
    message: `the job does not have the documented shape: ${issues(parsed.error)}`,
  };
}

/** A body that must be a JSON object; the message never quotes the body. */
export function parseJsonObject(
  body: string,
): { ok: true; object: object } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, message: `the answer is not JSON (${describeLength(body)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      message: `the answer is JSON but not an object (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`,
    };
  }
  return { ok: true, object: value };
}

export function issues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

function describeLength(body: string): string {
  return body.trim() === '' ? 'empty body' : `${Buffer.byteLength(body)} bytes`;
}
