// GET /v1/policy/jobs?kind=K ("Obtaining the Policy Instance Job List"): every job of that kind
// that exists now, each exactly as GET /v1/policy/jobs/{jobid} answers it. The page documents
// `items`, `kind` and `apiVersion` (in that order) but not the values of the last two, nor any
// paging, filter or order: the simulator lists jobs in the order they were added.

/** The documented default of the `kind` query parameter. */
export const DEFAULT_LIST_KIND = 'EnablePolicy';

/** Assumed values (the page names the fields, not their values). */
export const JOB_LIST_KIND = 'List';
export const JOB_LIST_API_VERSION = 'v1';

const LIST_PATH = /^\/v1\/policy\/jobs\/?$/;

/** True for the list call's path (with or without a trailing slash). */
export function isJobListPath(path: string): boolean {
  return LIST_PATH.test(path);
}

/** The `kind` a list request asks for: its query parameter, or the documented default. */
export function listKindOf(query: string): string {
  const kind = new URLSearchParams(query).get('kind');
  return kind === null || kind === '' ? DEFAULT_LIST_KIND : kind;
}

/** The list answer's body, from job bodies already serialised (no re-parsing of any job). */
export function renderJobList(jobBodies: readonly string[]): string {
  return `{"items":[${jobBodies.join(',')}],"kind":${JSON.stringify(JOB_LIST_KIND)},"apiVersion":${JSON.stringify(JOB_LIST_API_VERSION)}}`;
}
