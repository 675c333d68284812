/**
 * Which UCS endpoint a resource may talk to, and with whose credentials. The operator's own
 * default credentials are only ever sent to its default endpoint: a resource that names another
 * endpoint must bring its own credentialsRef. Plain http is for loopback only (tests, the demo).
 */
export interface EndpointPolicy {
  /** The operator's --ucs-endpoint, normalised. */
  defaultEndpoint: string;
  /** The operator's --allowed-endpoints, normalised; always includes the default. */
  allowedEndpoints: readonly string[];
}

export type EndpointDecision =
  { ok: true; endpoint: string; usesDefaultCredentials: boolean } | { ok: false; message: string };

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `https://host[:port]` with no path, query or credentials, lower-cased; or an error message. */
export function normalizeEndpoint(
  value: string,
): { ok: true; endpoint: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: `endpoint ${JSON.stringify(value)} is not an absolute URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `endpoint ${value} must use https` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, message: `endpoint ${value} uses http on a non-loopback host; use https` };
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    return { ok: false, message: `endpoint ${value} must be scheme://host[:port] only` };
  }
  return { ok: true, endpoint: `${url.protocol}//${url.host}` };
}

export function decideEndpoint(
  policy: EndpointPolicy,
  requested: string | undefined,
  hasCredentialsRef: boolean,
): EndpointDecision {
  if (requested === undefined || requested === '') {
    return {
      ok: true,
      endpoint: policy.defaultEndpoint,
      usesDefaultCredentials: !hasCredentialsRef,
    };
  }
  const normalized = normalizeEndpoint(requested);
  if (!normalized.ok) return normalized;
  const { endpoint } = normalized;
  if (!policy.allowedEndpoints.includes(endpoint)) {
    return {
      ok: false,
      message: `endpoint ${endpoint} is not in the operator's --allowed-endpoints (${policy.allowedEndpoints.join(', ')})`,
    };
  }
  if (endpoint !== policy.defaultEndpoint && !hasCredentialsRef) {
    return {
      ok: false,
      message: `endpoint ${endpoint} is not the operator's default endpoint, so the resource must name its own spec.credentialsRef; the operator's credentials are only sent to ${policy.defaultEndpoint}`,
    };
  }
  return { ok: true, endpoint, usesDefaultCredentials: !hasCredentialsRef };
}

/**
 * Where IAM calls (password login, the AK/SK account ID lookup) may go. A Secret's
 * `iamEndpoint` passes the same rules as spec.endpoint (https, loopback aside) and must be in
 * --allowed-iam-endpoints or be --iam-endpoint itself: whoever may write a Secret must not be
 * able to send its password or signed requests anywhere.
 */
export interface IamEndpointPolicy {
  /** The operator's --iam-endpoint, normalised: for Secrets without iamEndpoint. */
  defaultIamEndpoint: string;
  /** The operator's --allowed-iam-endpoints, normalised; always includes the default. */
  allowedIamEndpoints: readonly string[];
}

export function decideIamEndpoint(
  policy: IamEndpointPolicy,
  requested: string | undefined,
): { ok: true; endpoint: string } | { ok: false; message: string } {
  if (requested === undefined || requested === '') {
    return { ok: true, endpoint: policy.defaultIamEndpoint };
  }
  const normalized = normalizeEndpoint(requested);
  if (!normalized.ok) return { ok: false, message: `iamEndpoint: ${normalized.message}` };
  if (!policy.allowedIamEndpoints.includes(normalized.endpoint)) {
    return {
      ok: false,
      message: `iamEndpoint ${normalized.endpoint} is not in the operator's --allowed-iam-endpoints (${policy.allowedIamEndpoints.join(', ')}); nothing was sent to it`,
    };
  }
  return normalized;
}
