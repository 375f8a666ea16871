// Export to the Chrome trace event JSON format (chrome://tracing, Perfetto's JSON importer).
// Written in chunks to a sink: never one giant string (V8 caps strings at ~512 MB). Frames nest
// on each thread's lane; states and mutex holds get lanes of their own (B/E must nest per lane);
// waits are flow arrows (s → f) from the waiter's blocked slice to the end of the awaited hold.
// Times are in microseconds, as the format wants. The spans come from the trace walker (walker.ts).

import type { TraceData } from './reader';
import { waitLabel } from './exportWaits';
import { walkTrace } from './walker';
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

  const r = walkTrace(t, {
    stateBegin(s, created, flow) {
      const ts = us(s.start_ns);
      const name = created ? 'runnable' : `${THREAD_STATE_NAMES[s.state]}${s.wait_id >= 0 ? waitLabel(t, s.wait_kind, s.wait_id) : ''}`;
      put({ ph: 'B', name, cat: 'state', pid: pid(s.tid), tid: 100000 + s.tid, ts });
      if (flow !== undefined) put({ ph: 's', id: flow, name: 'waits for', cat: 'lock', pid: pid(s.tid), tid: 100000 + s.tid, ts });
    },
    stateEnd(s, end) {
      put({ ph: 'E', pid: pid(s.tid), tid: 100000 + s.tid, ts: us(end) });
    },
    frameBegin(f) {
      put({ ph: 'B', name: t.functions[f.fn] ?? `function ${f.fn}`, cat: 'frame', pid: pid(f.tid), tid: 1000 + f.tid, ts: us(f.start_ns) });
    },
    frameEnd(f, end) {
      put({ ph: 'E', pid: pid(f.tid), tid: 1000 + f.tid, ts: us(end) });
    },
    holdBegin(h) {
      put({ ph: 'B', name: `held by ${t.threads[h.tid]?.name ?? h.tid}`, cat: 'lock', pid: SRC, tid: 200000 + h.mutex, ts: us(h.start_ns), args: { waited_ns: h.waited_ns } });
    },
    holdEnd(h, end, contended, flows) {
      const ts = us(end);
      for (const id of flows) put({ ph: 'f', bp: 'e', id, name: 'waits for', cat: 'lock', pid: SRC, tid: 200000 + h.mutex, ts });
      put({ ph: 'E', pid: SRC, tid: 200000 + h.mutex, ts, args: { contended } });
    },
    stageBegin(ns, stage, to) {
      put({ ph: 'B', name: `${stage} (${to})`, cat: 'stage', pid: SRC, tid: 300000, ts: us(ns) });
    },
    stageEnd(ns) {
      put({ ph: 'E', pid: SRC, tid: 300000, ts: us(ns) });
    },
    migrationDone(ns, to) {
      put({ ph: 'i', s: 'p', name: `migration ${to}`, pid: SRC, tid: 300000, ts: us(ns) });
    },
    model(ns, m) {
      const ts = us(ns);
      if (m.kind === 'stats') {
        const q = m.payload as MigrationInfo;
        const r = q.ram;
        if (r !== undefined) {
          put({ ph: 'C', name: 'migration', pid: SRC, tid: 300000, ts, args: { remaining: r.remaining ?? 0, transferred: r.transferred } });
          put({ ph: 'C', name: 'throughput (mbps)', pid: SRC, tid: 300000, ts, args: { mbps: r.mbps } });
          put({ ph: 'C', name: 'dirty pages rate', pid: SRC, tid: 300000, ts, args: { 'pages/s': r['dirty-pages-rate'] ?? 0 } });
        }
        put({ ph: 'C', name: 'cpu-throttle-percentage', pid: SRC, tid: 300000, ts, args: { percent: q['cpu-throttle-percentage'] ?? 0 } });
      } else {
        put({ ph: 'i', s: 't', name: m.kind === 'sync' ? `migration_bitmap_sync #${(m.payload as Record<string, number>)['dirty-sync-count']}` : m.kind, pid: SRC, tid: 300000, ts, args: m.payload as Record<string, unknown> });
      }
    },
    hang(ns) {
      put({ ph: 'i', s: 'g', name: `hang: ${t.hang?.kind ?? ''}`, pid: SRC, tid: 300000, ts: us(ns), args: { summary: t.hang?.summary ?? '' } });
    },
    qemuTrace(tid, fn, ns, args) {
      put({ ph: 'i', s: 't', name: t.functions[fn] ?? `trace ${fn}`, cat: 'qemu', pid: pid(tid), tid: 1000 + tid, ts: us(ns), args: args ? { args } : {} });
    },
  }, o.flow_base + 1);
  return r.next_flow - 1;
}
