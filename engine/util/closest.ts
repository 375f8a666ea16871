// "Did you mean ...?": the known name closest to a mistyped one, by edit distance.

export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The closest of `known` to `name` within `maxDistance` edits (underscores count as hyphens), or undefined. */
export function closestName(name: string, known: readonly string[], maxDistance = 2): string | undefined {
  const norm = name.toLowerCase().replace(/_/g, '-');
  let best: string | undefined;
  let bestD = maxDistance + 1;
  for (const k of known) {
    const dist = editDistance(norm, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}
