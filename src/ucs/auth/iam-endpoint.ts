import { ucsError, type UcsError } from '../errors.js';

/** The IAM endpoint as a URL, or why it cannot be one (checked before anything is sent). */
export function parseIamEndpoint(iamEndpoint: string): URL | UcsError {
  let endpoint: URL;
  try {
    endpoint = new URL(iamEndpoint);
  } catch {
    return ucsError('InvalidRequest', 'the IAM endpoint is not a URL');
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    return ucsError('InvalidRequest', 'the IAM endpoint must be http(s)');
  }
  return endpoint;
}
