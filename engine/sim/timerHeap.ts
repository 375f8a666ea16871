// Timers of the simulation: a binary min-heap over (time_ns, seq) held in parallel plain arrays, so
// that it snapshots as plain data. `seq` grows with every push and breaks ties first-in first-out,
// which keeps the order of simultaneous wake-ups a pure function of the run. A timer carries the
// thread id and the thread's timer generation; a cancelled timer stays in the heap and is skipped
// when popped (its generation no longer matches), which keeps cancellation O(1).

export interface TimerHeap {
  time_ns: number[];
  seq: number[];
  tid: number[];
  gen: number[];
  seq_next: number;
}

export function heapCreate(): TimerHeap {
  return { time_ns: [], seq: [], tid: [], gen: [], seq_next: 0 };
}

export function heapPush(h: TimerHeap, time_ns: number, tid: number, gen: number): void {
  const t = h.time_ns, q = h.seq, ti = h.tid, g = h.gen;
  const seq = h.seq_next++;
  // Sift a hole up from the end, then fill it.
  let i = t.length;
  t.push(0); q.push(0); ti.push(0); g.push(0);
  while (i > 0) {
    const p = (i - 1) >> 1;
    const tp = t[p];
    if (tp < time_ns || (tp === time_ns && q[p] < seq)) break;
    t[i] = tp; q[i] = q[p]; ti[i] = ti[p]; g[i] = g[p];
    i = p;
  }
  t[i] = time_ns; q[i] = seq; ti[i] = tid; g[i] = gen;
}

export function heapSize(h: TimerHeap): number {
  return h.time_ns.length;
}

/** Time of the earliest timer, or Infinity. Includes cancelled timers (callers re-check). */
export function heapMinTime(h: TimerHeap): number {
  return h.time_ns.length === 0 ? Infinity : h.time_ns[0];
}

/** Removes the earliest timer; its fields are left in `out` (tid, gen, time_ns). */
export function heapPop(h: TimerHeap, out: { tid: number; gen: number; time_ns: number }): void {
  const t = h.time_ns, q = h.seq, ti = h.tid, g = h.gen;
  out.time_ns = t[0];
  out.tid = ti[0];
  out.gen = g[0];
  const n = t.length - 1;
  // The last timer leaves the end and sifts down from the root as a hole, filled once at its place.
  const lt = t[n], lq = q[n], lti = ti[n], lg = g[n];
  t.pop(); q.pop(); ti.pop(); g.pop();
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    let m = l;
    let mt = t[l];
    const r = l + 1;
    if (r < n) {
      const rt = t[r];
      if (rt < mt || (rt === mt && q[r] < q[l])) {
        m = r;
        mt = rt;
      }
    }
    if (lt < mt || (lt === mt && lq < q[m])) break;
    t[i] = mt; q[i] = q[m]; ti[i] = ti[m]; g[i] = g[m];
    i = m;
  }
  t[i] = lt; q[i] = lq; ti[i] = lti; g[i] = lg;
}
