// Export to the Chrome trace event JSON format (chrome://tracing, Perfetto's JSON importer).
// Written in chunks to a sink: never one giant string (V8 caps strings at ~512 MB). Frames nest
// on each thread's lane; states and mutex holds get lanes of their own (B/E must nest per lane);
// waits are flow arrows (s → f) from the waiter's blocked slice to the end of the awaited hold.
// Times are in microseconds, as the format wants.

import { EK } from './format';
import type { TraceData } from './reader';
import { waitLabel, WaitFlows } from './exportWaits';
import { THREAD_STATE_NAMES } from '../sim/types';
import type { MigrationInfo } from '../qapi/migrationInfo';

export interface TextSink {
  write(text: string): void;
}

const us = (ns: number): number => ns / 1000;

/** Chunked writer of one JSON object per event, separated by commas. */
function eventWriter(sink: TextSink): { put: (o: Record<string, unknown>) => void; flush: (tail: string) => void; count: () => number } {
  let buf: string[] = [];
  let size = 0;
  let count = 0;
  return {
    put(o) {
      const s = (count === 0 ? '\n' : ',\n') + JSON.stringify(o);
      count++;
      buf.push(s);
      size += s.length;
      if (size > 1 << 16) {
        sink.write(buf.join(''));
        buf = [];
        size = 0;
      }
    },
    flush(tail) {
      buf.push(tail);
      sink.write(buf.join(''));
      buf = [];
      size = 0;
    },
    count: () => count,
  };
}

export function exportChromeJson(t: TraceData, sink: TextSink): { events: number } {
  return exportChromeJsonMany([{ trace: t }], sink);
}

/**
 * Several traces in one file, one pair of processes (source, destination) each, all starting at
 * 0: a model run and a real run of the same scenario side by side, for instance.
 */
export function exportChromeJsonMany(traces: { trace: TraceData; label?: string }[], sink: TextSink): { events: number } {
  const w = eventWriter(sink);
  const h = traces[0].trace.header;
  sink.write('{"displayTimeUnit":"ns","otherData":' + JSON.stringify({ scenario: h.scenario_name, seed: h.seed, profile: h.profile, engine: h.engine_version, traces: traces.map((x) => x.label ?? x.trace.header.source) }) + ',"traceEvents":[');
  let flowBase = 0;
  traces.forEach((x, i) => {
    flowBase = writeTrace(x.trace, w.put, { src: 2 * i + 1, dst: 2 * i + 2, label: x.label, flow_base: flowBase });
  });
  w.flush('\n]}\n');
  return { events: w.count() };
}

/** Writes one trace's events; returns the last flow id it used (flow ids start above `flow_base`). */
function writeTrace(t: TraceData, put: (o: Record<string, unknown>) => void, o: { src: number; dst: number; label?: string; flow_base: number }): number {
  const SRC = o.src;
  const DST = o.dst;
  const tag = o.label ? `${o.label}: ` : '';
  const pid = (tid: number) => (t.threads[tid]?.role === 'destination' ? DST : SRC);
  put({ ph: 'M', name: 'process_name', pid: SRC, tid: 0, args: { name: `${tag}source QEMU (${t.header.scenario_name})` } });
  put({ ph: 'M', name: 'process_name', pid: DST, tid: 0, args: { name: `${tag}destination QEMU` } });
  put({ ph: 'M', name: 'process_sort_index', pid: SRC, tid: 0, args: { sort_index: SRC } });
  put({ ph: 'M', name: 'process_sort_index', pid: DST, tid: 0, args: { sort_index: DST } });
  t.threads.forEach((th, tid) => {
    put({ ph: 'M', name: 'thread_name', pid: pid(tid), tid: 1000 + tid, args: { name: th.name } });
    put({ ph: 'M', name: 'thread_sort_index', pid: pid(tid), tid: 1000 + tid, args: { sort_index: 2 * tid } });
    put({ ph: 'M', name: 'thread_name', pid: pid(tid), tid: 100000 + tid, args: { name: `${th.name} state` } });
    put({ ph: 'M', name: 'thread_sort_index', pid: pid(tid), tid: 100000 + tid, args: { sort_index: 2 * tid + 1 } });
  });
  t.mutexes.forEach((name, m) => put({ ph: 'M', name: 'thread_name', pid: SRC, tid: 200000 + m, args: { name: `mutex ${name} held` } }));
  put({ ph: 'M', name: 'thread_name', pid: SRC, tid: 300000, args: { name: 'migration' } });

  const e = t.events;
  const stateOpen = new Map<number, boolean>();
  const flows = new WaitFlows(o.flow_base + 1);
  let stageOpen = false;
  let last = 0;
  for (let i = 0; i < e.count; i++) {
    const ts = us(e.time[i]);
    last = ts;
    const a = e.a[i];
    const b = e.b[i];
    const c = e.c[i];
    switch (e.kind[i]) {
      case EK.THREAD_CREATE:
        stateOpen.set(a, true);
        put({ ph: 'B', name: 'runnable', cat: 'state', pid: pid(a), tid: 100000 + a, ts });
        break;
      case EK.THREAD_STATE: {
        const st = b % 8;
        if (stateOpen.get(a)) put({ ph: 'E', pid: pid(a), tid: 100000 + a, ts });
        stateOpen.set(a, st !== 6);
        if (st === 6) break;
        const wk = Math.floor(b / 8);
        const what = c > 0 ? waitLabel(t, wk, c - 1) : '';
        put({ ph: 'B', name: `${THREAD_STATE_NAMES[st]}${what}`, cat: 'state', pid: pid(a), tid: 100000 + a, ts });
        const f = wk === 1 ? flows.start(a) : undefined;
        if (f !== undefined) {
          put({ ph: 's', id: f, name: 'waits for', cat: 'lock', pid: pid(a), tid: 100000 + a, ts });
        }
        break;
      }
      case EK.FRAME_PUSH:
        put({ ph: 'B', name: t.functions[b] ?? `function ${b}`, cat: 'frame', pid: pid(a), tid: 1000 + a, ts });
        break;
      case EK.FRAME_POP:
        put({ ph: 'E', pid: pid(a), tid: 1000 + a, ts });
        break;
      case EK.LOCK_CONTEND:
        flows.contend(a, b);
        break;
      case EK.LOCK_ACQUIRE:
        put({ ph: 'B', name: `held by ${t.threads[b]?.name ?? b}`, cat: 'lock', pid: SRC, tid: 200000 + a, ts, args: { waited_ns: c } });
        break;
      case EK.LOCK_RELEASE:
        for (const id of flows.end(a)) put({ ph: 'f', bp: 'e', id, name: 'waits for', cat: 'lock', pid: SRC, tid: 200000 + a, ts });
        put({ ph: 'E', pid: SRC, tid: 200000 + a, ts, args: { contended: c % 2 === 1 } });
        break;
      case EK.MODEL: {
        const m = t.model[a];
        if (m === undefined) break;
        if (m.kind === 'stats') {
          const q = m.payload as MigrationInfo;
          const r = q.ram;
          if (r !== undefined) {
            put({ ph: 'C', name: 'migration', pid: SRC, tid: 300000, ts, args: { remaining: r.remaining ?? 0, transferred: r.transferred } });
            put({ ph: 'C', name: 'throughput (mbps)', pid: SRC, tid: 300000, ts, args: { mbps: r.mbps } });
            put({ ph: 'C', name: 'dirty pages rate', pid: SRC, tid: 300000, ts, args: { 'pages/s': r['dirty-pages-rate'] ?? 0 } });
          }
          put({ ph: 'C', name: 'cpu-throttle-percentage', pid: SRC, tid: 300000, ts, args: { percent: q['cpu-throttle-percentage'] ?? 0 } });
        } else if (m.kind === 'status') {
          const s = m.payload as { to: string; stage: string };
          if (stageOpen) put({ ph: 'E', pid: SRC, tid: 300000, ts });
          stageOpen = s.stage !== 'done';
          put(stageOpen ? { ph: 'B', name: `${s.stage} (${s.to})`, cat: 'stage', pid: SRC, tid: 300000, ts } : { ph: 'i', s: 'p', name: `migration ${s.to}`, pid: SRC, tid: 300000, ts });
        } else {
          put({ ph: 'i', s: 't', name: m.kind === 'sync' ? `migration_bitmap_sync #${(m.payload as Record<string, number>)['dirty-sync-count']}` : m.kind, pid: SRC, tid: 300000, ts, args: m.payload as Record<string, unknown> });
        }
        break;
      }
      case EK.HANG:
        put({ ph: 'i', s: 'g', name: `hang: ${t.hang?.kind ?? ''}`, pid: SRC, tid: 300000, ts, args: { summary: t.hang?.summary ?? '' } });
        break;
      case EK.QEMU_TRACE: {
        const args = c > 0 ? (t.model[c - 1]?.payload as { args?: string } | undefined)?.args : undefined;
        put({ ph: 'i', s: 't', name: t.functions[b] ?? `trace ${b}`, cat: 'qemu', pid: pid(a), tid: 1000 + a, ts, args: args ? { args } : {} });
        break;
      }
      default:
        break;
    }
  }
  // Close what is still open at the end, so every B has its E.
  for (const [tid, open] of stateOpen) if (open) put({ ph: 'E', pid: pid(tid), tid: 100000 + tid, ts: last });
  if (stageOpen) put({ ph: 'E', pid: SRC, tid: 300000, ts: last });
  const depth = new Map<number, number>();
  const held = new Set<number>();
  for (let i = 0; i < e.count; i++) {
    const k = e.kind[i];
    if (k === EK.FRAME_PUSH) depth.set(e.a[i], (depth.get(e.a[i]) ?? 0) + 1);
    else if (k === EK.FRAME_POP) depth.set(e.a[i], (depth.get(e.a[i]) ?? 0) - 1);
    else if (k === EK.LOCK_ACQUIRE) held.add(e.a[i]);
    else if (k === EK.LOCK_RELEASE) held.delete(e.a[i]);
  }
  for (const [tid, d] of depth) for (let k = 0; k < d; k++) put({ ph: 'E', pid: pid(tid), tid: 1000 + tid, ts: last });
  for (const m of held) put({ ph: 'E', pid: SRC, tid: 200000 + m, ts: last });
  return flows.nextId - 1;
}
