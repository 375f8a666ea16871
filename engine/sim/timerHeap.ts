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

function less(h: TimerHeap, a: number, b: number): boolean {
  const ta = h.time_ns[a], tb = h.time_ns[b];
  return ta < tb || (ta === tb && h.seq[a] < h.seq[b]);
}

function swap(h: TimerHeap, a: number, b: number): void {
  let x = h.time_ns[a]; h.time_ns[a] = h.time_ns[b]; h.time_ns[b] = x;
  x = h.seq[a]; h.seq[a] = h.seq[b]; h.seq[b] = x;
  x = h.tid[a]; h.tid[a] = h.tid[b]; h.tid[b] = x;
  x = h.gen[a]; h.gen[a] = h.gen[b]; h.gen[b] = x;
}

export function heapPush(h: TimerHeap, time_ns: number, tid: number, gen: number): void {
  let i = h.time_ns.length;
  h.time_ns.push(time_ns);
  h.seq.push(h.seq_next++);
  h.tid.push(tid);
  h.gen.push(gen);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(h, i, p)) break;
    swap(h, i, p);
    i = p;
  }
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
  out.time_ns = h.time_ns[0];
  out.tid = h.tid[0];
  out.gen = h.gen[0];
  const last = h.time_ns.length - 1;
  if (last > 0) {
    h.time_ns[0] = h.time_ns[last];
    h.seq[0] = h.seq[last];
    h.tid[0] = h.tid[last];
    h.gen[0] = h.gen[last];
  }
  h.time_ns.pop(); h.seq.pop(); h.tid.pop(); h.gen.pop();
  const n = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && less(h, r, l) ? r : l;
    if (!less(h, m, i)) break;
    swap(h, i, m);
    i = m;
  }
}
