/** Small wording helpers shared by messages; no imports, so the CLI can use them at start-up. */

/** "a", "a and b", "a, b and c". */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A JSON.parse error's "in JSON at position 300" said as "at line 12 column 5" of `text`, as config errors say it. */
export function jsonErrorAtLine(message: string, text: string): string {
  return message.replace(/ in JSON at position (\d+).*$/s, (_, at: string) => {
    const before = text.slice(0, Number(at)).split(/\r\n|\r|\n/);
    return ` at line ${before.length} column ${before.at(-1)!.length + 1}`;
  });
}
