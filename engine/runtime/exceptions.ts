// How a run ended, as the debugger's exceptions: a hang (with the kernel's thread dump: the
// held-by chain and what every thread waits for), data lost at switchover, a migration that did
// not converge, a downtime over the limit. Each names the exception filters that stop on it.

import type { Kernel } from '../sim/kernel';
import { formatHangReport, formatNs, formatThreadDump } from '../sim/hangReport';
import { threadDump } from '../sim/hangDetect';
import { lostWriteSummary } from '../model/vcpu';
import { md, type ModelCtx } from '../model/ctx';
import { evalCondition, type Condition } from './condition';
import { migVar } from './migrationVars';

export interface EndException {
  /** the filter categories that stop here ('hang' also covers 'deadlock'), or 'divergence' */
  filter: string;
  id: string;
  description: string;
  details: string;
}

export function endException(k: Kernel, ctx: ModelCtx): EndException | null {
  const s = k.s;
  const m = md(k).mig;
  if (s.status === 'hung' && s.hang !== null) {
    const h = s.hang;
    return { filter: h.kind === 'no-progress' ? 'hang' : 'deadlock', id: h.kind, description: `${h.kind} at t=${formatNs(h.time_ns)}: ${h.summary}`, details: formatHangReport(h) };
  }
  if (m.status === 'completed' && m.pages_lost > 0) {
    const first = m.first_loss_ns < 0 ? '' : `\nThe first lost write, at t=${formatNs(m.first_loss_ns)}: ${lostWriteSummary(m)}. Reverse Continue stops there, with the data-loss filter on.`;
    return { filter: 'data-loss', id: 'data-loss', description: `${m.pages_lost} pages were stale at the destination at switchover: data lost`, details: `The migration completed at t=${formatNs(m.end_ns)} with ${m.pages_lost} pages whose destination copy differs from the source.${first}` };
  }
  if (m.status === 'cancelled') {
    return { filter: 'non-convergence', id: 'non-convergence', description: m.end_reason || 'the migration did not converge', details: `dirty-sync-count ${m.dirty_sync_count}, remaining ${md(k).ram.dirty_pages * 4096} bytes, threshold ${Math.round(m.threshold_bytes)} bytes at t=${formatNs(k.now)}.` };
  }
  const limit_ns = ctx.cfg.downtime_limit_ms * 1e6;
  if (m.status === 'completed' && m.downtime_ns > limit_ns) {
    return { filter: 'downtime', id: 'downtime', description: `downtime ${formatNs(m.downtime_ns)} is over downtime-limit ${ctx.cfg.downtime_limit_ms} ms`, details: `The VM was stopped at t=${formatNs(m.downtime_start_ns)} and the migration completed at t=${formatNs(m.end_ns)}.` };
  }
  return null;
}

/**
 * The data-loss exception at the moment of the first lost write (aa723c23147e): the vCPU that
 * wrote, and every thread's wait with who holds what it waits for (the migration thread sending
 * with the BQL held, the main loop and the monitor behind it), as gdb would show them at that
 * instant, before the migration goes on to complete with stale pages.
 */
export function lossException(k: Kernel, ctx: ModelCtx): EndException {
  const m = md(k).mig;
  const writer = ctx.ids.vcpu_tids[m.first_loss_vcpu];
  const head = `data loss at t=${formatNs(m.first_loss_ns)}: ${lostWriteSummary(m)}`;
  return { filter: 'data-loss', id: 'data-loss', description: head, details: formatThreadDump(head, threadDump(k, [writer, ctx.ids.migration_tid])) };
}

/** Whether the enabled filters stop on `e` (with their conditions). */
export function filterStops(e: EndException, filters: Map<string, Condition | null>, k: Kernel, ctx: ModelCtx): boolean {
  if (e.filter === 'divergence') return true;
  const cands = e.filter === 'deadlock' ? ['deadlock', 'hang'] : [e.filter];
  const m = md(k).mig;
  const get = (name: string): string | number | undefined => {
    if (name === 'downtime') return m.downtime_ns;
    if (name === 'kind') return e.id;
    return migVar(name)?.get(k, ctx);
  };
  return cands.some((f) => filters.has(f) && (filters.get(f) === null || evalCondition(filters.get(f)!, get)));
}
