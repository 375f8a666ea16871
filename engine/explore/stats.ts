// Rates with their uncertainty: the Wilson score interval (95%), which behaves at 0 and at 1 hits
// where the normal approximation does not (0 hits in N runs gives an upper bound near 3.8/N).

const Z95 = 1.959963984540054;

export function wilson95(hits: number, n: number): [number, number] {
  if (n <= 0) return [0, 1];
  const p = hits / n;
  const z2 = Z95 * Z95;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return [hits === 0 ? 0 : Math.max(0, centre - half), hits === n ? 1 : Math.min(1, centre + half)];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function pct(x: number): string {
  if (x === 0) return '0%';
  if (x < 0.0001) return `${(x * 100).toExponential(1)}%`;
  if (x < 0.01) return `${(x * 100).toFixed(2)}%`;
  return `${(x * 100).toFixed(1)}%`;
}
