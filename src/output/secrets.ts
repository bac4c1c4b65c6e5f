/**
 * Secrets (passwords) seen while parsing URLs and config. Every line rscript prints goes through
 * `scrub`, so a password can reach no output even through an error message we did not write.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string): void {
  if (secret.length > 0) secrets.add(secret);
}

export function scrub(text: string): string {
  let out = text;
  for (const s of secrets) {
    out = out.split(s).join('***');
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join('***');
  }
  return out;
}
