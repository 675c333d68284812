/**
 * Removes secret values from a message, whatever produced it (a server echoing a header, an
 * error quoting a URL), and the user-info part of URLs (proxy credentials).
 */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1[redacted]@');
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; no real token or key is that short.
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
