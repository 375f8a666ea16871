// Lock statistics as data (for --json and the debugger's variables) and as a lock_stat-like table.
// Wait figures cover contended acquisitions; hold figures cover all of them; both include the
// hold and the waits still in progress when the summary is taken.

import type { Kernel } from './kernel';
import { formatNs } from './hangReport';
import { WAITED_ON_PAIR, type LockSiteStats, type SimMutex } from './types';
import { waitedOnPlaces, waitedOnTotals } from './waitedOn';

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

/**
 * The per-site figures including what is still in progress at `now`: the current hold (charged to
 * the site that took the lock) and every wait not yet ended (charged to the site the waiter is
 * blocked in). A run that ends in a hang would otherwise report none of the waits that make it one.
 */
function sitesNow(k: Kernel, m: SimMutex): LockSiteStats[] {
  const now = k.s.now_ns;
  const sites = m.sites.map((st) => ({ ...st }));
  const at = (fn: number): LockSiteStats => {
    let st = sites.find((x) => x.fn === fn);
    if (st === undefined) {
      st = { fn, acquisitions: 0, contentions: 0, wait_ns_total: 0, wait_ns_min: -1, wait_ns_max: 0, hold_ns_total: 0, hold_ns_min: -1, hold_ns_max: 0 };
      sites.push(st);
    }
    return st;
  };
  if (m.owner >= 0 && m.owner_site >= 0) {
    const st = sites[m.owner_site];
    const hold = now - m.acquired_ns;
    st.hold_ns_total += hold;
    if (hold > st.hold_ns_max) st.hold_ns_max = hold;
  }
  for (const th of k.s.threads) {
    if (th.contend_mutex !== m.id) continue;
    const wait = now - th.contend_since_ns;
    const st = at(th.stack.length > 0 ? th.stack[th.stack.length - 1].fn : -1);
    st.wait_ns_total += wait;
    if (wait > st.wait_ns_max) st.wait_ns_max = wait;
  }
  return sites;
}

/**
 * Waits by (waiter, holder) so far, with the waits still in progress at `now`, in the order each
 * pair first waited (a pair only waiting now comes after those that waited before, in the order
 * its waiters contended).
 */
function waitedOnNow(k: Kernel, m: SimMutex): { w: number; h: number; ns: number }[] {
  const out: { w: number; h: number; ns: number }[] = [];
  const wo = m.waited_on;
  // each pair's place in `out`: its place in wo.order, then the pairs only waiting now
  const at = wo === null ? new Map<number, number>() : waitedOnPlaces(wo);
  if (wo !== null) {
    const totals = waitedOnTotals(wo, at);
    for (let i = 0; i < wo.order.length; i++) {
      const code = wo.order.get(i);
      const w = Math.floor(code / WAITED_ON_PAIR);
      out.push({ w, h: code - w * WAITED_ON_PAIR - 1, ns: totals[i] });
    }
  }
  for (const th of k.s.threads) {
    if (th.contend_mutex !== m.id) continue;
    const w = th.id;
    const since = th.contend_since_ns;
    const h = th.contend_holder;
    const code = w * WAITED_ON_PAIR + h + 1;
    const i = at.get(code);
    if (i !== undefined) out[i].ns += k.s.now_ns - since;
    else {
      at.set(code, out.length);
      out.push({ w, h, ns: k.s.now_ns - since });
    }
  }
  return out;
}

export function lockSummaries(k: Kernel): LockSummary[] {
  return k.s.mutexes.map((m) => {
    const sites = sitesNow(k, m).map((st) => site(k, st)).sort((a, b) => b.wait_ns_total - a.wait_ns_total || b.hold_ns_total - a.hold_ns_total);
    const sum = (f: (x: LockSiteSummary) => number) => sites.reduce((a, x) => a + f(x), 0);
    const max = (f: (x: LockSiteSummary) => number) => sites.reduce((a, x) => Math.max(a, f(x)), 0);
    const waited_on = waitedOnNow(k, m)
      .map(({ w, h, ns }) => ({ waiter: k.s.threads[w]?.name ?? `#${w}`, holder: h < 0 ? '?' : k.s.threads[h]?.name ?? `#${h}`, wait_ns: ns }))
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
