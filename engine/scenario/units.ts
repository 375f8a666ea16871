// Sizes and rates as QEMU writes them: "128G", "3.5G", "512M", "64K" (binary units, as `-m` and
// `migrate_set_speed` take them), or a plain number of bytes.

const SUFFIX: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5, E: 1024 ** 6 };

/** Bytes for a size, or an error message describing what was wrong. */
export function parseSize(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return `must be a non-negative number of bytes, got ${v}`;
    return Math.round(v);
  }
  if (typeof v !== 'string') return `must be a size like "128G" or a number of bytes, got ${JSON.stringify(v)}`;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([BKMGTPE]?)(?:i?B)?\s*$/i.exec(v);
  if (m === null) return `must be a size like "128G", "512M" or "4096", got "${v}"`;
  return Math.round(Number(m[1]) * SUFFIX[m[2].toUpperCase()]);
}

export function formatSize(bytes: number): string {
  for (const [s, n] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= n && bytes % (n / 1024) === 0) return `${+(bytes / n).toFixed(3)}${s}`;
  }
  return `${bytes}`;
}
