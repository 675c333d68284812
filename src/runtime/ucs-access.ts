import { parseCredentials } from '../controller/credentials.js';
import { normalizeEndpoint, withIamEndpoint } from '../controller/endpoint-policy.js';
import { SecretCredentials } from '../kube/secret-credentials.js';
import { UcsTransport, type UcsClient, type UcsCredentials } from '../ucs/index.js';
import { loadKubeConfig } from './operator.js';

/** The credential keys a Secret may hold, as flags/environment of the CLI (Secret key → value). */
export type CredentialValues = Partial<
  Record<
    | 'token'
    | 'accessKey'
    | 'secretKey'
    | 'securityToken'
    | 'domainID'
    | 'username'
    | 'password'
    | 'domainName',
    string
  >
>;

export interface UcsAccessOptions {
  ucsEndpoint: string;
  iamEndpoint: string;
  /** `namespace/name` of a credentials Secret, read through `kubeconfig` (the operator's way). */
  credentialsSecret?: string;
  kubeconfig?: string;
  /** Credentials given directly; used when no Secret is named. */
  values: CredentialValues;
  timeoutMs?: number;
  caBundle?: string;
}

export type UcsAccess =
  | { ok: true; client: UcsClient; /** Closes its connections. */ close: () => void }
  | { ok: false; message: string };

/**
 * A UCS client for a one-off command (the CLI's `jobs`), with the operator's own pieces: the
 * Secret reader and parser, the IAM endpoint rule and the transport. Messages name keys and
 * Secrets, never values.
 */
export async function ucsAccess(options: UcsAccessOptions): Promise<UcsAccess> {
  const endpoint = normalizeEndpoint(options.ucsEndpoint);
  if (!endpoint.ok) return { ok: false, message: `--ucs-endpoint: ${endpoint.message}` };
  const iam = normalizeEndpoint(options.iamEndpoint);
  if (!iam.ok) return { ok: false, message: `--iam-endpoint: ${iam.message}` };
  let credentials: UcsCredentials;
  if (options.credentialsSecret !== undefined) {
    const [namespace, name, ...rest] = options.credentialsSecret.split('/');
    if (!namespace || !name || rest.length > 0)
      return { ok: false, message: '--credentials-secret: expected namespace/name' };
    const lookup = await new SecretCredentials(loadKubeConfig(options.kubeconfig)).get(
      namespace,
      name,
    );
    if (!lookup.ok)
      return { ok: false, message: `${lookup.error.reason}: ${lookup.error.message}` };
    credentials = lookup.credentials;
  } else {
    const parsed = parseCredentials(options.values);
    if (!parsed.ok) {
      return {
        ok: false,
        message: `no usable credentials (give --credentials-secret, or --token, --access-key/--secret-key, or --username/--password/--domain-name): ${parsed.message.replace('the Secret', 'the flags')}`,
      };
    }
    credentials = parsed.credentials;
  }
  const withIam = withIamEndpoint(credentials, {
    defaultIamEndpoint: iam.endpoint,
    allowedIamEndpoints: [iam.endpoint],
  });
  if (!withIam.ok) return { ok: false, message: withIam.message };
  const transport = new UcsTransport({
    qps: 0,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.caBundle === undefined ? {} : { caBundle: options.caBundle }),
  });
  return {
    ok: true,
    client: transport.client(endpoint.endpoint, withIam.credentials),
    close: () => {
      transport.close();
    },
  };
}
