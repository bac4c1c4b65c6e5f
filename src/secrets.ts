/**
 * Secrets (passwords) seen while parsing URLs and config. Every line rscript prints goes through
 * `scrub`, so a password can reach no output even through an error message we did not write.
 */
const secrets = new Set<string>();

/**
 * Below this length a password is masked only where a URL carries it (`:secret@`): masking every
 * occurrence of "e" or "wrong" would turn "authentication failed: wrong username" into "auth***ntication",
 * and tell which letters the password holds. rscript's own messages never hold a password.
 */
const MASK_EVERYWHERE_FROM = 6;

export function registerSecret(secret: string): void {
  if (secret.length > 0) secrets.add(secret);
}

export function scrub(text: string): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) {
      out = s.length >= MASK_EVERYWHERE_FROM ? out.split(form).join('***') : out.split(`:${form}@`).join(':***@');
    }
  }
  return out;
}
