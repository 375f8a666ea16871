// The report page written by `migtrace report`: the timeline (the same view as the editor's),
// guestperf-style charts, and tables of the outcome under query-migrate's names, the locks, the
// hang explanation and the scenario. The data is embedded in the page, gzip'd and base64'd, and
// read with the browser's own DecompressionStream: the page makes no request.

import { unpackTimeline, type PackedTimeline, type Timeline, type TimelineMeta } from '../engine/trace/timelineData';
import { TimelineView } from './view';
import { buildHeader } from './header';
import { el, table } from './dom';
import { readTheme, type Theme } from './theme';
import { barChart, lineChart, type Series } from './charts';
import { fmtBytes, fmtNs } from './format';
import { TraceModel } from './model';

interface EmbeddedData extends Omit<PackedTimeline, 'buffers'> {
  /** each column gzip'd, base64 */
  buffers: string[];
  generated: { by: string; from: string[] };
}

async function gunzip(b64: string): Promise<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

export async function startReport(root: HTMLElement): Promise<void> {
  const node = document.getElementById('migtrace-data');
  if (!node) throw new Error('this page holds no migtrace data');
  const data = JSON.parse(node.textContent ?? '') as EmbeddedData;
  const buffers = await Promise.all(data.buffers.map(gunzip));
  const tl = unpackTimeline({ layout: data.layout, metas: data.metas, divergence: data.divergence, buffers });
  const th = readTheme();
  const first = tl.traces[0].meta;
  document.title = `migtrace report: ${first.scenario}${tl.traces.length > 1 ? ` (${tl.traces.map((t) => t.meta.label).join(' vs ')})` : ''}`;
  root.append(el('h1', {}, document.title));
  root.append(el('p', { class: 'mt-muted' }, `Written by ${data.generated.by} from ${data.generated.from.join(' and ')}. Everything below is in this one file.`));
  root.append(buildHeader(tl));
  const box = el('section', { class: 'mt-report-timeline', 'aria-label': 'timeline' });
  root.append(box);
  const view = new TimelineView(box, tl, { replay: null, seek: () => undefined, saveState: () => undefined }, null);
  view.paint();
  (window as unknown as { migtrace: unknown }).migtrace = view;
  root.append(charts(th, tl));
  root.append(tables(tl));
  document.body.dataset.migtraceReport = 'ready';
}

function colors(th: Theme): string[] {
  return [th.counter, th.marker.fault];
}

function charts(th: Theme, tl: Timeline): HTMLElement {
  const sec = el('section', { class: 'mt-charts' }, el('h2', {}, 'Migration progress'));
  const models = tl.traces.map((t, i) => new TraceModel(t, i));
  const col = colors(th);
  const iters = Math.max(0, ...tl.traces.map((t) => t.meta.syncs.length));
  const groups = Array.from({ length: iters }, (_, i) => `#${i + 1}`);
  const remaining: { label: string; color: string; values: number[] }[] = [];
  const sent: { label: string; color: string; values: number[] }[] = [];
  tl.traces.forEach((t, i) => {
    const s = t.meta.syncs;
    const final = ((t.meta.summary as { ram?: { transferred?: number } } | null)?.ram?.transferred) ?? NaN;
    remaining.push({ label: `${t.meta.label}: remaining at the sync`, color: col[i], values: s.map((x) => x.remaining_bytes) });
    sent.push({ label: `${t.meta.label}: transferred until the next sync`, color: col[i], values: s.map((x, k) => (k + 1 < s.length ? s[k + 1].transferred_bytes : final) - x.transferred_bytes) });
  });
  if (iters > 0) {
    sec.append(barChart(th, 'Per dirty-bitmap sync (iteration): bytes remaining when it began', 'bytes', groups, remaining));
    sec.append(barChart(th, 'Per iteration: bytes transferred during it', 'bytes', groups, sent));
  }
  const over = (name: string): Series[] => models.flatMap((m, i) => {
    const k = m.counters.findIndex((c) => c.name === name);
    if (k < 0) return [];
    const c = m.counters[k];
    return [{ label: m.tl.meta.label, color: col[i], t: Array.from(c.time, (x) => x - m.t0), v: c.value }];
  });
  sec.append(lineChart(th, 'Bandwidth (query-migrate ram.mbps)', 'Mbit/s', over('bandwidth')));
  sec.append(lineChart(th, 'Dirty pages rate (ram.dirty-pages-rate)', 'pages/s', over('dirty pages rate')));
  sec.append(lineChart(th, 'Remaining (ram.remaining)', 'bytes', over('remaining')));
  const throttle = over('cpu-throttle-percentage');
  if (throttle.some((s) => Array.prototype.some.call(s.v, (v: number) => v > 0))) sec.append(lineChart(th, 'CPU throttle (cpu-throttle-percentage)', '%', throttle));
  else sec.append(el('p', { class: 'mt-muted' }, 'CPU throttle: never throttled (cpu-throttle-percentage stayed 0, or auto-converge was off).'));
  return sec;
}

const QMP_ROWS: [string, (s: Record<string, any>) => unknown][] = [
  ['outcome', (s) => s.outcome],
  ['status', (s) => s.status],
  ['total-time (ms)', (s) => s['total-time']],
  ['setup-time (ms)', (s) => s['setup-time']],
  ['downtime (ms)', (s) => s.downtime],
  ['expected-downtime (ms)', (s) => s['expected-downtime']],
  ['ram.transferred', (s) => s.ram?.transferred !== undefined ? fmtBytes(s.ram.transferred) : undefined],
  ['ram.remaining', (s) => s.ram?.remaining !== undefined ? fmtBytes(s.ram.remaining) : undefined],
  ['ram.total', (s) => s.ram?.total !== undefined ? fmtBytes(s.ram.total) : undefined],
  ['ram.duplicate (zero pages)', (s) => s.ram?.duplicate],
  ['ram.normal (pages)', (s) => s.ram?.normal],
  ['ram.mbps', (s) => s.ram?.mbps],
  ['ram.dirty-pages-rate', (s) => s.ram?.['dirty-pages-rate']],
  ['ram.dirty-sync-count', (s) => s.ram?.['dirty-sync-count']],
  ['ram.pages-per-second', (s) => s.ram?.['pages-per-second']],
  ['cpu-throttle-percentage', (s) => s['cpu-throttle-percentage']],
  ['pages lost at switchover', (s) => s.invariants?.['pages-lost']],
  ['reason', (s) => s.reason],
];

function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else out.push([prefix, typeof v === 'string' ? v : JSON.stringify(v)]);
}

function scenarioRows(m: TimelineMeta): [string, string][] {
  const out: [string, string][] = [];
  try {
    flatten('', JSON.parse(m.scenario_json || '{}'), out);
  } catch {
    out.push(['(scenario)', m.scenario_json]);
  }
  return out;
}

function tables(tl: Timeline): HTMLElement {
  const sec = el('section', { class: 'mt-tables' });
  const metas = tl.traces.map((t) => t.meta);
  const head = ['', ...metas.map((m) => m.label)];
  const sums = metas.map((m) => (m.summary ?? {}) as Record<string, any>);
  sec.append(el('h2', {}, 'Outcome (query-migrate)'));
  sec.append(table(head, QMP_ROWS.map(([name, f]) => [name, ...sums.map((s) => String(f(s) ?? '-'))]).filter((r) => r.slice(1).some((c) => c !== '-'))));
  sec.append(el('h2', {}, 'Locks'));
  metas.forEach((m, i) => {
    const locks = (sums[i].locks ?? {}) as Record<string, Record<string, number>>;
    const rows = Object.entries(locks).map(([name, l]) => [name, l.acquisitions, l.contentions, fmtNs(l['wait-total-ns'] ?? 0), fmtNs(l['wait-max-ns'] ?? 0), fmtNs(l['hold-total-ns'] ?? 0), fmtNs(l['hold-max-ns'] ?? 0), l['owner-changes'] ?? '-']);
    sec.append(rows.length > 0 ? table(['mutex', 'acquisitions', 'contentions', 'wait total', 'wait max', 'hold total', 'hold max', 'owner changes'], rows, [1, 2, 3, 4, 5, 6, 7], `${m.label}: the whole run`) : el('p', { class: 'mt-muted' }, `${m.label}: no lock statistics in this trace`));
  });
  for (const m of metas) {
    if (m.hang === null) continue;
    sec.append(el('h2', {}, `Hang: ${m.label}`));
    sec.append(el('p', { class: 'mt-hang' }, `${m.hang.kind} at ${fmtNs(m.hang.time_ns - m.start_ns)}: ${m.hang.summary}`));
    if (m.hang.chain.length > 0) {
      const name = (tid: number) => m.threads[tid]?.name ?? `thread ${tid}`;
      sec.append(el('ol', { class: 'mt-chain' }, ...m.hang.chain.map((l) => el('li', {}, `"${name(l.tid)}" ${l.waits}, ${l.because}`))));
    }
    sec.append(table(['thread', 'state', 'waits for', 'holding', 'backtrace (innermost first)'], m.hang.threads.map((t) => [`${t.involved ? '● ' : ''}${t.name}`, t.state, t.waits || '-', t.holding.join(', ') || '-', t.backtrace.join(' ← ')]), [], '● part of the hang'));
  }
  sec.append(el('h2', {}, 'Scenario'));
  for (const m of metas) {
    sec.append(el('p', {}, `${m.label}: ${m.scenario}`));
    sec.append(table(['field', 'value'], scenarioRows(m)));
  }
  return sec;
}
