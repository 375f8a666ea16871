// The lines above the timeline: what each trace is (scenario, seed, design, where it came from),
// and banners for what a reviewer must see first: a trace that could not be read to its end (in
// the reader's own words), the hang, data lost, the first divergence of two traces.

import type { Timeline, TimelineMeta } from '../engine/trace/timelineData';
import { el } from './dom';
import { fmtBytes, fmtNs } from './format';

export function describeTrace(m: TimelineMeta): string {
  const guest = m.ram_bytes > 0 ? `, ${fmtBytes(m.ram_bytes)} / ${m.vcpus} vCPU${m.vcpus === 1 ? '' : 's'}` : '';
  if (m.source === 'qemu') return `${m.scenario}${guest}: a real QEMU migration (${m.qemu_version || 'QEMU'}${m.host ? ` on ${m.host}` : ''})`;
  return `${m.scenario}${guest}: seed ${m.seed}, ${m.strategy} schedule, ${m.profile} design (migtrace ${m.engine_version})`;
}

export function outcomeOf(m: TimelineMeta): string {
  const s = m.summary as { outcome?: string; status?: string; reason?: string; 'total-time'?: number; downtime?: number } | null;
  if (!s) return 'outcome unknown: the trace has no footer';
  const parts = [`${s.outcome ?? s.status ?? 'unknown'}`];
  if (s['total-time'] !== undefined) parts.push(`total time ${s['total-time']} ms`);
  if (s.downtime !== undefined) parts.push(`downtime ${s.downtime} ms`);
  // a hang's reason is the banner below; say it once
  return parts.join(', ') + (s.reason && !m.hang ? ` (${s.reason})` : '');
}

export function buildHeader(tl: Timeline): HTMLElement {
  const h = el('header', { class: 'mt-head' });
  const many = tl.traces.length > 1;
  for (const t of tl.traces) {
    const m = t.meta;
    h.append(el('div', { class: 'mt-trace' }, el('b', {}, many ? `${m.label}: ` : ''), el('span', { class: 'mt-file' }, m.file), ` · ${describeTrace(m)} · `, el('span', { class: `mt-outcome mt-outcome-${String((m.summary as { outcome?: string } | null)?.outcome ?? 'unknown')}` }, outcomeOf(m)), ` · ${m.events.toLocaleString('en-US')} events`));
    if (m.stopped !== null) {
      h.append(el('div', { class: 'mt-banner mt-warn', role: 'alert' }, el('b', {}, `${many ? `${m.label}: ` : ''}incomplete trace: `), `${m.stopped.reason} `, el('span', { class: 'mt-muted' }, `(read up to byte ${m.stopped.offset} of ${m.file}; shown: the ${m.events.toLocaleString('en-US')} events before it, up to ${fmtNs(m.end_ns - m.start_ns)})`)));
    }
    if (m.hang !== null) {
      h.append(el('div', { class: 'mt-banner mt-bad' }, el('b', {}, `${many ? `${m.label}: ` : ''}hang (${m.hang.kind}) at ${fmtNs(m.hang.time_ns - m.start_ns)}: `), m.hang.summary));
    }
    for (const mk of m.markers) {
      if (mk.kind === 'data-loss') h.append(el('div', { class: 'mt-banner mt-bad' }, el('b', {}, `${many ? `${m.label}: ` : ''}${mk.label}`), mk.detail ? ` (${mk.detail})` : ''));
    }
  }
  const d = tl.divergence;
  if (d) h.append(el('div', { class: `mt-banner ${d.kind === 'none' ? 'mt-muted' : 'mt-diverge'}` }, el('b', {}, d.label), d.kind !== 'none' ? ` — ${d.detail.replace(/\n/g, ' · ')}` : ` (${d.detail})`));
  return h;
}

/** What the view shows instead of a timeline when the file is not a trace it can read at all. */
export function buildLoadError(file: string, message: string): HTMLElement {
  return el('div', { class: 'mt-error', role: 'alert' },
    el('h2', {}, `${file} cannot be shown as a timeline`),
    el('p', {}, message),
    el('p', { class: 'mt-muted' }, 'Nothing in it could be read as a migtrace trace. `migtrace info` on the file says the same; a trace written by `migtrace run --out`, `qemu-run` or `import-qemu` starts with the magic bytes 89 4d 49 47 54 52 43 0a.'));
}
