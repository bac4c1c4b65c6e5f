/**
 * Did-you-mean: the known names closest to a mistyped one. No imports: the CLI uses it at start-up
 * (a mistyped option) without loading the modules that resolve scripts.
 */

/** Up to three known names closest to `name` (edit distance, or a shared prefix/suffix). */
export function suggest(name: string, known: string[]): string[] {
  const lower = name.toLowerCase();
  // `pusj` should find `queue/push`: compare with the last segment too. Each comparison allows edits
  // in proportion to what it compares with: the last segment `pop` is not close to `lock` just
  // because `queue/pop` is long.
  const near = (target: string) => distance(lower, target) <= Math.max(2, Math.floor(target.length / 3));
  const scored = known.flatMap((k) => {
    const full = k.toLowerCase();
    const last = full.split('/').pop()!;
    const close = near(full) || near(last) || full.includes(lower) || lower.includes(full);
    return close ? [{ k, d: Math.min(distance(lower, full), distance(lower, last)) }] : [];
  });
  scored.sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1));
  return scored.slice(0, 3).map(({ k }) => k);
}

/**
 * The known name nearest to `name` within `maxEdits` edits (ties: the first in code-unit order), or
 * undefined. Edit distance alone, unlike `suggest`: a shared part is no typo (`redis` is not
 * `redisServer`). Case is ignored.
 */
export function nearest(name: string, known: readonly string[], maxEdits = 2): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = maxEdits + 1;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && k < best)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Edit distance (optimal string alignment): insertions, deletions, substitutions, and a swap of two
 * neighbours counting one, as `hepl` for `help` is one slip of the fingers, not two.
 */
export function distance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}
