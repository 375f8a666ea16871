// The hang report: what kind of hang, when, the chain of "waiting for X, which is held by Y" that
// explains it, and every thread's state, wait reason, held locks and backtrace, in the manner of a
// Java thread dump's deadlock section. Plain data (it is stored in the state and in traces); the
// text form is produced by `formatHangReport`.

export type HangKind = 'deadlock' | 'lost-wakeup' | 'all-blocked' | 'no-progress';

export interface HangLink {
  tid: number;
  /** e.g. 'waiting to lock mutex "bql"' */
  waits: string;
  /** threads that hold what it waits for, or could signal it */
  held_by: number[];
  /** e.g. 'which is held by "main"', or why nobody will signal */
  because: string;
}

export interface HangThread {
  tid: number;
  name: string;
  state: string;
  /** what it waits for, '' if it is not waiting */
  waits: string;
  since_ns: number;
  holding: string[];
  /** innermost frame first, function names */
  backtrace: string[];
  /** part of the hang (in the chain or the stuck set) */
  involved: boolean;
}

export interface HangReport {
  kind: HangKind;
  time_ns: number;
  summary: string;
  /** the chain closes on itself when it is a cycle */
  cycle: boolean;
  chain: HangLink[];
  threads: HangThread[];
}

export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${ns} ns`;
}

function threadHeader(t: HangThread, now_ns: number): string {
  let s = `Thread ${t.tid} "${t.name}" ${t.state}`;
  if (t.waits !== '') s += `, ${t.waits}`;
  if (t.state !== 'exited') s += `, for ${formatNs(now_ns - t.since_ns)}`;
  if (t.holding.length > 0) s += `, holding ${t.holding.map((h) => `"${h}"`).join(', ')}`;
  return s;
}

export function formatHangReport(r: HangReport): string {
  return formatThreadDump(`${r.kind} at t=${formatNs(r.time_ns)}: ${r.summary}`, r);
}

/** A thread dump under `head`: the chain of waits, then the stacks of the threads involved, then the others. */
export function formatThreadDump(head: string, r: Pick<HangReport, 'time_ns' | 'chain' | 'threads'>): string {
  const out: string[] = [];
  const byTid = new Map(r.threads.map((t) => [t.tid, t]));
  const name = (tid: number): string => `"${byTid.get(tid)?.name ?? `thread ${tid}`}"`;
  out.push(head);
  out.push('');
  for (const l of r.chain) out.push(`${name(l.tid)}: ${l.waits}, ${l.because}`);
  if (r.chain.length > 0) out.push('');
  const involved = r.threads.filter((t) => t.involved);
  const others = r.threads.filter((t) => !t.involved);
  if (involved.length > 0) {
    out.push('Stacks of the threads listed above:');
    for (const t of involved) {
      out.push(threadHeader(t, r.time_ns));
      t.backtrace.forEach((f, i) => out.push(`#${i}  ${f}`));
    }
  }
  if (others.length > 0) {
    out.push('');
    out.push('Other threads:');
    for (const t of others) {
      out.push(threadHeader(t, r.time_ns));
      t.backtrace.forEach((f, i) => out.push(`#${i}  ${f}`));
    }
  }
  return out.join('\n');
}
