/**
 * The answer of GET /v1/policy/jobs?kind=K ("Obtaining the Policy Instance Job List"):
 * `{kind, apiVersion, items: [UCSJob...]}`, items of the same shape as the single-job answer.
 *
 * Hardened like parse-job.ts, and bounded: the body is already capped by the transport
 * (maxResponseBytes); of its items, only what selection needs is read from every one (ID,
 * creation time, type, operation, extendParam, relatedObjects), and only the newest
 * MAX_LISTED_JOBS are kept, each with its whole job when that has the documented shape.
 * An item whose whole job does not (one odd field) still takes part in selection: the
 * operator then reads that job by ID, where the usual InvalidResponse handling applies.
 */
import { z } from 'zod';
import { anyMap, optionalObject, parseUcsJob, stringMap, text, type UcsJob } from './job.js';
import { issues, parseJsonObject } from './parse-job.js';
import { normalizeTimestamp } from './timestamps.js';

/** Jobs of one list kept (the newest); older ones are not seen by selectors. */
export const MAX_LISTED_JOBS = 1000;

export interface ListedJob {
  /** metadata.uid: the job ID. */
  id: string;
  /** metadata.creationTimestamp as sortable RFC 3339 UTC (9 fraction digits), if readable. */
  createdAt?: string;
  type?: string;
  operation?: string;
  /** spec.extendParam's top-level values as text (matchText), for matching. */
  extendParam?: Record<string, string>;
  relatedObjects?: Record<string, string>;
  /** The whole job, when the item has the documented shape. */
  job?: UcsJob;
}

export interface JobList {
  kind?: string;
  apiVersion?: string;
  /** Newest first (by createdAt; items without a readable time last), at most MAX_LISTED_JOBS. */
  items: ListedJob[];
  /** Items left out: no usable ID, or beyond MAX_LISTED_JOBS. */
  skipped: number;
}

export type ParseJobListResult = { ok: true; list: JobList } | { ok: false; message: string };

/** Match texts longer than this are cut (a selector's values are at most 1024 characters). */
export const MAX_MATCH_TEXT = 1025;
/** Keys of extendParam / relatedObjects kept per item, for matching. */
export const MAX_MATCH_KEYS = 64;

/**
 * How a job's spec value compares with a selector's string: a string as it is; any other JSON
 * value (number, boolean, null, object, array) as its compact JSON text, so `3` matches "3",
 * `true` matches "true". Cut at MAX_MATCH_TEXT (longer never matches a selector value).
 */
export function matchText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
  return text.slice(0, MAX_MATCH_TEXT);
}

function matchTexts(map: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map).slice(0, MAX_MATCH_KEYS)) {
    const text = matchText(value);
    if (text !== undefined) out[key] = text;
  }
  return out;
}

/** A job ID as the operator can watch it (the CRD's pattern and length). */
const WATCHABLE_ID = /^[A-Za-z0-9._-]{1,128}$/;

const listSchema = z.looseObject({
  kind: text,
  apiVersion: text,
  // Required: a body without it is not a list (an empty list would drop every selection).
  // null is Go's empty slice.
  items: z.preprocess((v) => (v === null ? [] : v), z.array(z.unknown())),
});

/** What selection reads of an item: lenient, and tolerant of everything else. */
const selectionSchema = z.looseObject({
  metadata: optionalObject({ uid: text, creationTimestamp: text }),
  spec: optionalObject({
    type: text,
    operation: text,
    extendParam: anyMap,
    relatedObjects: stringMap,
  }),
});

/** Normalised RFC 3339 UTC with the fraction padded to nanoseconds: compares as a string. */
export function sortableTime(raw: string | undefined): string | undefined {
  const normalized = normalizeTimestamp(raw);
  if (normalized === undefined) return undefined;
  return normalized.replace(/(?:\.(\d+))?Z$/, (_, fraction: string | undefined) => {
    return `.${(fraction ?? '').padEnd(9, '0').slice(0, 9)}Z`;
  });
}

/** Newest first; equal or unreadable times by ID, so that the order is stable. */
export function newestFirst(
  a: Pick<ListedJob, 'id' | 'createdAt'>,
  b: Pick<ListedJob, 'id' | 'createdAt'>,
): number {
  if (a.createdAt !== b.createdAt) {
    if (a.createdAt === undefined) return 1;
    if (b.createdAt === undefined) return -1;
    return a.createdAt < b.createdAt ? 1 : -1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Parses a 200 answer's body. Never throws; messages name paths, never values. */
export function parseJobList(body: string): ParseJobListResult {
  const value = parseJsonObject(body);
  if (!value.ok) return value;
  const parsed = listSchema.safeParse(value.object);
  if (!parsed.success) {
    return {
      ok: false,
      message: `the job list does not have the documented shape: ${issues(parsed.error)}`,
    };
  }
  const items: ListedJob[] = [];
  let skipped = 0;
  for (const raw of parsed.data.items) {
    const selection = selectionSchema.safeParse(raw);
    const id = selection.success ? selection.data.metadata?.uid : undefined;
    if (!selection.success || id === undefined || !WATCHABLE_ID.test(id)) {
      skipped += 1;
      continue;
    }
    const { metadata, spec } = selection.data;
    const item: ListedJob = { id, job: raw as UcsJob };
    const createdAt = sortableTime(metadata?.creationTimestamp);
    if (createdAt !== undefined) item.createdAt = createdAt;
    if (spec?.type !== undefined) item.type = spec.type.slice(0, MAX_MATCH_TEXT);
    if (spec?.operation !== undefined) item.operation = spec.operation.slice(0, MAX_MATCH_TEXT);
    const extendParam = matchTexts(spec?.extendParam);
    if (extendParam !== undefined) item.extendParam = extendParam;
    const relatedObjects = matchTexts(spec?.relatedObjects);
    if (relatedObjects !== undefined) item.relatedObjects = relatedObjects;
    items.push(item);
  }
  items.sort(newestFirst);
  skipped += Math.max(0, items.length - MAX_LISTED_JOBS);
  const kept = items.slice(0, MAX_LISTED_JOBS);
  // The whole-job parse only for what is kept.
  for (const item of kept) {
    const job = parseUcsJob(item.job);
    if (job.success) item.job = job.data;
    else delete item.job;
  }
  const list: JobList = { items: kept, skipped };
  if (parsed.data.kind !== undefined) list.kind = parsed.data.kind;
  if (parsed.data.apiVersion !== undefined) list.apiVersion = parsed.data.apiVersion;
  return { ok: true, list };
}
