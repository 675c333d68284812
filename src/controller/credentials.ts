import type { UcsCredentials } from '../ucs/index.js';

/**
 * The keys a credentials Secret may hold: exactly one of the four sets. Messages name keys,
 * never values.
 */
const TOKEN_KEYS = ['token'] as const;
const AKSK_KEYS = ['accessKey', 'secretKey'] as const;
const AKSK_OPTIONAL = ['securityToken', 'domainID', 'iamEndpoint'] as const;
const PASSWORD_KEYS = ['username', 'password', 'domainName'] as const;
const PASSWORD_OPTIONAL = ['iamEndpoint'] as const;
/** Workload identity: the ID token comes from --id-token-file, never from the Secret. */
const FEDERATED_KEYS = ['idpId'] as const;
const FEDERATED_OPTIONAL = ['domainID', 'iamEndpoint'] as const;
const KNOWN = new Set<string>([
  ...TOKEN_KEYS,
  ...AKSK_KEYS,
  ...AKSK_OPTIONAL,
  ...PASSWORD_KEYS,
  ...PASSWORD_OPTIONAL,
  ...FEDERATED_KEYS,
  ...FEDERATED_OPTIONAL,
]);

export type CredentialsParse =
  { ok: true; credentials: UcsCredentials } | { ok: false; message: string };

const USAGE =
  'it must hold exactly one of: token; accessKey + secretKey (+ securityToken, domainID, iamEndpoint); username + password + domainName (+ iamEndpoint); idpId (+ domainID, iamEndpoint) for workload identity with --id-token-file';

/** Decoded Secret data (key → UTF-8 value) to credentials. */
export function parseCredentials(data: Readonly<Record<string, string>>): CredentialsParse {
  const present = (key: string): boolean => (data[key] ?? '').trim() !== '';
  const value = (key: string): string => (data[key] ?? '').trim();
  const optional = (key: string): string | undefined => (present(key) ? value(key) : undefined);
  const unknown = Object.keys(data).filter((k) => !KNOWN.has(k));
  const sets = [
    TOKEN_KEYS.some(present) ? 'token' : undefined,
    AKSK_KEYS.some(present) ? 'accessKey/secretKey' : undefined,
    PASSWORD_KEYS.some(present) ? 'username/password/domainName' : undefined,
    FEDERATED_KEYS.some(present) ? 'idpId' : undefined,
  ].filter((s): s is string => s !== undefined);

  if (sets.length === 0) {
    const extra = unknown.length ? ` (found keys: ${unknown.sort().join(', ')})` : '';
    return { ok: false, message: `the Secret holds no credentials${extra}; ${USAGE}` };
  }
  if (sets.length > 1) {
    return { ok: false, message: `the Secret mixes ${sets.join(' and ')}; ${USAGE}` };
  }
  const missing = (keys: readonly string[]): string[] => keys.filter((k) => !present(k));
  switch (sets[0]) {
    case 'token':
      return { ok: true, credentials: { kind: 'token', token: value('token') } };
    case 'accessKey/secretKey': {
      const lack = missing(AKSK_KEYS);
      if (lack.length)
        return { ok: false, message: `the Secret lacks ${lack.join(', ')}; ${USAGE}` };
      return {
        ok: true,
        credentials: {
          kind: 'aksk',
          accessKey: value('accessKey'),
          secretKey: value('secretKey'),
          ...definedOnly({
            securityToken: optional('securityToken'),
            domainID: optional('domainID'),
            iamEndpoint: optional('iamEndpoint'),
          }),
        },
      };
    }
    case 'idpId':
      return {
        ok: true,
        credentials: {
          kind: 'federated',
          idpId: value('idpId'),
          ...definedOnly({ domainID: optional('domainID'), iamEndpoint: optional('iamEndpoint') }),
        },
      };
    default: {
      const lack = missing(PASSWORD_KEYS);
      if (lack.length)
        return { ok: false, message: `the Secret lacks ${lack.join(', ')}; ${USAGE}` };
      return {
        ok: true,
        credentials: {
          kind: 'password',
          username: value('username'),
          password: value('password'),
          domainName: value('domainName'),
          ...definedOnly({ iamEndpoint: optional('iamEndpoint') }),
        },
      };
    }
  }
}

function definedOnly<T extends Record<string, string | undefined>>(
  obj: T,
): Partial<Record<keyof T, string>> {
  const out: Partial<Record<keyof T, string>> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k as keyof T] = v;
  return out;
}

/** Secret `data` (base64) and `stringData` to plain strings. */
export function decodeSecretData(secret: {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {}))
    out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}
