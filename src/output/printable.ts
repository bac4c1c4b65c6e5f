/**
 * The one escaping rule for text rscript prints from a file, a server or a message: control
 * characters (C0 but tab and newline, DEL, C1) become `\xNN`, and the bidirectional overrides that can
 * make a source line read as other code (Trojan Source) `\u202e`. Raw, they could recolour, move the
 * cursor or retitle the terminal.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with its control characters written as escapes (`\x1b`, `\x00`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
