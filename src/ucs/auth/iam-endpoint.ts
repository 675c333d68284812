import { DEFAULT_IAM_ENDPOINT } from '../credentials.js';
import { ucsError, type UcsError } from '../errors.js';

/** The IAM endpoint of credentials (default https://iam.myhuaweicloud.com) as a URL. */
export function parseIamEndpoint(iamEndpoint: string | undefined): URL | UcsError {
  let endpoint: URL;
  try {
    endpoint = new URL(iamEndpoint ?? DEFAULT_IAM_ENDPOINT);
  } catch {
    return ucsError('InvalidRequest', 'the IAM endpoint is not a URL');
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    return ucsError('InvalidRequest', 'the IAM endpoint must be http(s)');
  }
  return endpoint;
}
