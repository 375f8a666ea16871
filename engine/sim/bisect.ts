// Binary search over anything sorted: the first index in [0, n) where `below(i)` is false, given
// that `below` is true on a prefix and false after it (n if it is true everywhere). Checkpoints by
// step, landmarks, a step-back stretch's boundaries and a trace's events by time all search this way.

export function firstNotBelow(n: number, below: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
