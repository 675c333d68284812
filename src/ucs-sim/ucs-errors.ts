// Error answers as the real service gives them. UCS itself uses the Huawei Cloud convention
// {"error_code", "error_msg"}; the API gateway in front of it adds "request_id"; IAM's token
// API answers Keystone style {"error": {"code", "message", "title"}}; a proxy's 502 is HTML.

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...headers },
    body: JSON.stringify(value),
  };
}

function ucsError(status: number, code: string, message: string): SimResponse {
  return json(status, { error_code: code, error_msg: message });
}

export const authorizationFailed = (): SimResponse =>
  ucsError(401, 'UCS.00000018', 'Authorization failed.');

export const jobNotFound = (): SimResponse =>
  ucsError(404, 'UCS.00000013', 'No requested resources found.');

export const serverInternalError = (): SimResponse =>
  ucsError(500, 'UCS.00000006', 'Server internal error.');

/** APIG's answer for a path or method it has no API for. */
export const apiNotFound = (requestId: string): SimResponse =>
  json(404, {
    error_msg: 'The API does not exist or has not been published in the environment',
    error_code: 'APIGW.0101',
    request_id: requestId,
  });

/**
 * The gateway's refusal of an AK/SK call to a global service without the caller's account ID
 * in X-Domain-Id (or with another account's). Huawei's signing guide says the header is
 * required but publishes no error for its absence: the code and text here are APIG's answer
 * to failed IAM authentication, which is what a real gateway is assumed to give.
 */
export const domainIdRefused = (requestId: string, missing: boolean): SimResponse =>
  json(401, {
    error_msg: missing
      ? 'Incorrect IAM authentication information: X-Domain-Id is required for a global service'
      : 'Incorrect IAM authentication information: X-Domain-Id does not match the access key',
    error_code: 'APIGW.0301',
    request_id: requestId,
  });

/** APIG's answer to an IAM call whose AK/SK signature or token it could not verify. */
export const iamAuthenticationFailed = (requestId: string): SimResponse =>
  json(401, {
    error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
    error_code: 'APIGW.0301',
    request_id: requestId,
  });

/** APIG's throttling answer. */
export const throttled = (requestId: string, retryAfterSeconds: number): SimResponse =>
  json(
    429,
    {
      error_msg:
        'The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 second',
      error_code: 'APIGW.0308',
      request_id: requestId,
    },
    { 'Retry-After': String(retryAfterSeconds) },
  );

export const badGateway = (): SimResponse => ({
  status: 502,
  headers: { 'Content-Type': 'text/html' },
  body:
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
    '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
});

/** APIG's answer to a body over its limit. */
export const payloadTooLarge = (requestId: string): SimResponse =>
  json(413, {
    error_msg: 'Request entity too large',
    error_code: 'APIGW.0201',
    request_id: requestId,
  });

const IAM_TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
} as const;

export function iamError(status: keyof typeof IAM_TITLES, message: string): SimResponse {
  return json(status, { error: { code: status, message, title: IAM_TITLES[status] } });
}

/** A 200 whose JSON body stops half way, as a cut connection or a broken proxy leaves it. */
export function malformed(response: SimResponse): SimResponse {
  const cut = Math.max(1, Math.floor(response.body.length / 2));
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: response.body.slice(0, cut) };
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): SimResponse {
  return json(status, value, headers);
}
