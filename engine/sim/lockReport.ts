// Lock statistics as data (for --json and the debugger's variables) and as a lock_stat-like table.
// Wait figures cover contended acquisitions; hold figures cover all of them.

import type { Kernel } from './kernel';
import { formatNs } from './hangReport';
import type { LockSiteStats } from './types';

export interface LockSiteSummary {
  caller: string;
  acquisitions: number;
  contentions: number;
  wait_ns_total: number;
  wait_ns_max: number;
  hold_ns_total: number;
  hold_ns_max: number;
}

export interface LockSummary extends LockSiteSummary {
  name: string;
  owner_changes: number;
  sites: LockSiteSummary[];
  /** wait time charged to the thread that held the lock when the waiter arrived */
  waited_on: { waiter: string; holder: string; wait_ns: number }[];
}

function site(k: Kernel, st: LockSiteStats): LockSiteSummary {
  return {
    caller: st.fn < 0 ? '?' : k.program.name(st.fn),
    acquisitions: st.acquisitions,
    contentions: st.contentions,
    wait_ns_total: st.wait_ns_total,
    wait_ns_max: st.wait_ns_max,
    hold_ns_total: st.hold_ns_total,
    hold_ns_max: st.hold_ns_max,
  };
}

export function lockSummaries(k: Kernel): LockSummary[] {
  return k.s.mutexes.map((m) => {
    const sites = m.sites.map((st) => site(k, st)).sort((a, b) => b.wait_ns_total - a.wait_ns_total || b.hold_ns_total - a.hold_ns_total);
    const sum = (f: (x: LockSiteSummary) => number) => sites.reduce((a, x) => a + f(x), 0);
    const max = (f: (x: LockSiteSummary) => number) => sites.reduce((a, x) => Math.max(a, f(x)), 0);
    const waited_on = Object.entries(m.waited_on)
      .map(([key, ns]) => {
        const [w, h] = key.split('>').map(Number);
        return { waiter: k.s.threads[w]?.name ?? `#${w}`, holder: h < 0 ? '?' : k.s.threads[h]?.name ?? `#${h}`, wait_ns: ns };
      })
      .sort((a, b) => b.wait_ns - a.wait_ns);
    return {
      name: m.name,
      caller: '*',
      acquisitions: sum((x) => x.acquisitions),
      contentions: sum((x) => x.contentions),
      wait_ns_total: sum((x) => x.wait_ns_total),
      wait_ns_max: max((x) => x.wait_ns_max),
      hold_ns_total: sum((x) => x.hold_ns_total),
      hold_ns_max: max((x) => x.hold_ns_max),
      owner_changes: m.owner_changes,
      sites,
      waited_on,
    };
  });
}

/** A lock_stat-like table: one line per lock, then one per call site. */
export function formatLockTable(locks: LockSummary[]): string {
  const head = ['lock / caller', 'acquisitions', 'contentions', 'wait total', 'wait max', 'hold total', 'hold max'];
  const rows: string[][] = [];
  for (const l of locks) {
    rows.push([`${l.name} (${l.owner_changes} owner changes)`, ...cells(l)]);
    for (const s of l.sites) rows.push([`  ${s.caller}`, ...cells(s)]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function cells(s: LockSiteSummary): string[] {
  return [
    String(s.acquisitions),
    String(s.contentions),
    formatNs(s.wait_ns_total),
    formatNs(s.wait_ns_max),
    formatNs(s.hold_ns_total),
    formatNs(s.hold_ns_max),
  ];
}
