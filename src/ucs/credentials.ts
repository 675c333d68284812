import { createHash } from 'node:crypto';

/** A user token, sent as X-Auth-Token as is (the caller renews it). */
export interface TokenCredentials {
  kind: 'token';
  token: string;
}

/** An IAM user: the client gets a domain-scoped token and renews it itself. */
export interface PasswordCredentials {
  kind: 'password';
  username: string;
  password: string;
  /** The account (domain) name; the token is scoped to it, as UCS is a global service. */
  domainName: string;
  /** Default https://iam.myhuaweicloud.com. */
  iamEndpoint?: string;
}

/** An access key pair: every request is signed (SDK-HMAC-SHA256). */
export interface AkSkCredentials {
  kind: 'aksk';
  accessKey: string;
  secretKey: string;
  /** Temporary (STS) credentials carry one. */
  securityToken?: string;
  /** The account id, sent as X-Domain-Id; looked up at IAM when missing. */
  domainID?: string;
  /** Where the account id is looked up (default https://iam.myhuaweicloud.com). */
  iamEndpoint?: string;
}

/**
 * Workload identity (keyless): an OIDC ID token, read from the file the transport was given
 * (--id-token-file, a projected ServiceAccount token), is exchanged at IAM for temporary AK/SK,
 * as the vendor SDK does with `idpId` + `idTokenFile`. The file never comes from a Secret: a
 * Secret naming a path could make the operator send any of its files to IAM.
 */
export interface FederatedCredentials {
  kind: 'federated';
  /** The identity provider registered in IAM for the cluster's service-account issuer. */
  idpId: string;
  /** The account id, sent as X-Domain-Id; looked up with the temporary AK/SK when absent. */
  domainID?: string;
  /** Default https://iam.myhuaweicloud.com. */
  iamEndpoint?: string;
}

export type UcsCredentials =
  TokenCredentials | PasswordCredentials | AkSkCredentials | FederatedCredentials;

export const DEFAULT_IAM_ENDPOINT = 'https://iam.myhuaweicloud.com';

/**
 * A stable identity for credentials (SHA-256 over their values, hex): to key caches and shared
 * requests without keeping the values themselves in keys, logs or metrics.
 */
export function credentialsFingerprint(credentials: UcsCredentials): string {
  // An explicit field order, so that property order in the caller's object does not matter.
  const parts: string[] = (() => {
    switch (credentials.kind) {
      case 'token':
        return ['token', credentials.token];
      case 'password':
        return [
          'password',
          credentials.username,
          credentials.password,
          credentials.domainName,
          credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT,
        ];
      case 'aksk':
        return [
          'aksk',
          credentials.accessKey,
          credentials.secretKey,
          credentials.securityToken ?? '',
          credentials.domainID ?? '',
          credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT,
        ];
      case 'federated':
        return [
          'federated',
          credentials.idpId,
          credentials.domainID ?? '',
          credentials.iamEndpoint ?? DEFAULT_IAM_ENDPOINT,
        ];
    }
  })();
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The values that must never appear in a message: tokens, passwords, secret keys. Workload
 * identity holds none itself: its ID token and temporary keys are read and issued later, and
 * redacted as the PreparedAuth's `secrets`.
 */
export function secretValues(credentials: UcsCredentials): string[] {
  switch (credentials.kind) {
    case 'token':
      return [credentials.token];
    case 'password':
      return [credentials.password];
    case 'aksk':
      return [credentials.secretKey, credentials.securityToken ?? ''];
    case 'federated':
      return [];
  }
}

/** What is missing or empty in credentials, for an InvalidRequest message (names, no values). */
export function credentialsProblem(credentials: UcsCredentials): string | undefined {
  const empty = (value: string | undefined): boolean => value === undefined || value.trim() === '';
  const missing = (fields: Record<string, string | undefined>): string | undefined => {
    const names = Object.entries(fields)
      .filter(([, value]) => empty(value))
      .map(([name]) => name);
    return names.length === 0 ? undefined : `credentials lack ${names.join(', ')}`;
  };
  switch (credentials.kind) {
    case 'token':
      return missing({ token: credentials.token });
    case 'password':
      return missing({
        username: credentials.username,
        password: credentials.password,
        domainName: credentials.domainName,
      });
    case 'aksk':
      return missing({ accessKey: credentials.accessKey, secretKey: credentials.secretKey });
    case 'federated':
      return missing({ idpId: credentials.idpId });
  }
}
