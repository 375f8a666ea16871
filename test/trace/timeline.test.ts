// The timeline's columns (engine/trace/timelineBuild.ts) held against the trace's own events: a
// track's spans are sorted and never overlap; a state span per state event, a frame per push, a
// hold per acquire, a lock-lane wait per contention, a flow per wait that blocked; stages from the
// status changes and syncs; packing for the webview loses nothing and refuses what does not fit;
// the first divergence of two traces.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, type TraceData } from '../../engine/trace/reader';
import { buildTimeline } from '../../engine/trace/timelineBuild';
import { COLUMN_NAMES, LOCK_USE, packTimeline, TK, TimelineLayoutError, unpackTimeline } from '../../engine/trace/timelineData';
import { firstDivergence } from '../../engine/trace/timelineCompare';
import { EK } from '../../engine/trace/format';

function recorded(name: string, seed = 1, sets: string[] = []): TraceData {
  const sink = new MemorySink();
  recordRun(loadBuiltin(name, sets, seed), sink);
  return readTrace(sink.bytes());
}

const busySc = loadScenarioValue({
  name: 'timeline-busy',
  guest: { memory: '1G', vcpus: 4, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 40000, stop: 8 } },
  migration: { profile: 'rfc-2012', 'max-bandwidth': '128M', 'downtime-limit': 300 },
  host: { profile: 'chegu-2012' },
}, 'timeline-busy');
const sink = new MemorySink();
recordRun(busySc, sink);
const busy = readTrace(sink.bytes());

test('every track\'s spans are sorted and disjoint, and there is a span for each event that makes one', () => {
  const tl = buildTimeline(busy, 'model', 'busy.migtrace');
  const c = tl.cols;
  const count = new Map<number, number>();
  for (let tr = 0; tr < c.track_kind.length; tr++) {
    let prevEnd = -Infinity;
    for (let i = c.track_offset[tr]; i < c.track_offset[tr + 1]; i++) {
      assert.ok(c.span_start[i] >= prevEnd, `track ${tr} (kind ${c.track_kind[tr]}): span ${i} starts before the last ended`);
      assert.ok(c.span_end[i] >= c.span_start[i]);
      prevEnd = c.span_end[i];
      const key = c.track_kind[tr] * 10 + (c.track_kind[tr] === TK.lock ? c.span_val[i] : 0);
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  const e = busy.events;
  const n = (f: (i: number) => boolean) => {
    let k = 0;
    for (let i = 0; i < e.count; i++) if (f(i)) k++;
    return k;
  };
  assert.equal(count.get(TK.state * 10), n((i) => e.kind[i] === EK.THREAD_CREATE || (e.kind[i] === EK.THREAD_STATE && e.b[i] % 8 !== 6)), 'states');
  assert.equal(count.get(TK.frame * 10), n((i) => e.kind[i] === EK.FRAME_PUSH), 'frames');
  assert.equal(count.get(TK.hold * 10), n((i) => e.kind[i] === EK.LOCK_ACQUIRE), 'holds');
  assert.equal(count.get(TK.lock * 10 + LOCK_USE.waiting), n((i) => e.kind[i] === EK.LOCK_CONTEND), 'a wait in the lock lane per contention');
  assert.ok(c.flow_t0.length > 50);
  for (let i = 0; i < c.flow_t0.length; i++) {
    assert.ok(c.flow_t0[i] <= c.flow_t1[i], 'a flow goes forward in time');
    if (i > 0) assert.ok(c.flow_t1[i] >= c.flow_t1[i - 1], 'flows sorted by their end');
  }
  assert.equal(tl.meta.counters.map((x) => x.name).join(), 'remaining,transferred,bandwidth,dirty pages rate,cpu-throttle-percentage');
  const stats = busy.model.filter((m) => m.kind === 'stats').length;
  assert.equal(c.ctr_offset[1] - c.ctr_offset[0], stats, 'a sample of remaining per query-migrate sample');
});

test('the stages: setup, an iteration per dirty-bitmap sync, stop-and-copy, then the final status', () => {
  const t = recorded('seed-specjbb-128g');
  const st = buildTimeline(t, 'model', 'x').meta.stages;
  assert.deepEqual(st.map((s) => s.label), ['setup', 'iteration 1', 'iteration 2', 'iteration 3', 'iteration 4', 'stop-and-copy', 'completed']);
  const syncs = t.model.filter((m) => m.kind === 'sync');
  // iteration k begins at sync #k (the first at the start of the iterative stage)
  for (let k = 2; k <= 4; k++) assert.equal(st[k].start_ns, syncs.find((m) => (m.payload as Record<string, number>)['dirty-sync-count'] === k)!.time_ns);
  for (let k = 1; k < st.length; k++) assert.equal(st[k].start_ns, st[k - 1].end_ns, 'the bands follow one another');
  assert.ok(st.every((s) => !s.unfinished));
});

test('a trace cut short: the stage it was in never finished, a marker says where reading stopped', () => {
  const b = sink.bytes();
  const t = readTrace(b.subarray(0, Math.floor(b.length * 0.7)));
  const tl = buildTimeline(t, 'model', 'cut.migtrace');
  assert.ok(tl.meta.stages[tl.meta.stages.length - 1].unfinished);
  const mk = tl.meta.markers.find((m) => m.kind === 'truncated')!;
  assert.equal(mk.detail, t.stopped!.reason);
  assert.equal(tl.meta.complete, false);
});

test('packing for the webview keeps every column, and unpacking refuses data of another layout or shape', () => {
  const tl = { traces: [buildTimeline(busy, 'model', 'busy.migtrace')], divergence: null };
  const p = packTimeline(tl);
  assert.equal(p.buffers.length, COLUMN_NAMES.length);
  const back = unpackTimeline(structuredClone(p));
  for (const name of COLUMN_NAMES) assert.deepEqual(Array.from(back.traces[0].cols[name]), Array.from(tl.traces[0].cols[name]), name);
  assert.throws(() => unpackTimeline({ ...p, layout: 99 }), TimelineLayoutError);
  assert.throws(() => unpackTimeline({ ...p, buffers: p.buffers.slice(1) }), /buffers for 1 traces/);
  const odd = p.buffers.slice();
  odd[0] = new ArrayBuffer(7);
  assert.throws(() => unpackTimeline({ ...p, buffers: odd }), /column span_start of trace 0 is not a whole Float64Array/);
  const short = p.buffers.slice();
  short[COLUMN_NAMES.indexOf('track_offset')] = new Uint32Array([0, 1]).buffer;
  assert.throws(() => unpackTimeline({ ...p, buffers: short }), TimelineLayoutError);
});

test('two runs of one scenario diverge at their first differing event; a run beside itself does not', () => {
  const a = recorded('multifd-sync-hang', 1);
  const b = recorded('multifd-sync-hang', 2);
  const d = firstDivergence(a, b, ['seed 1', 'seed 2']);
  let i = 0;
  const x = a.events;
  const y = b.events;
  while (x.time[i] === y.time[i] && x.kind[i] === y.kind[i] && x.a[i] === y.a[i] && x.b[i] === y.b[i] && x.c[i] === y.c[i]) i++;
  assert.equal(d.kind, 'event');
  assert.match(d.label, new RegExp(`^first divergence: event #${i}, after \\d+ identical scheduler decisions$`));
  assert.deepEqual(d.time_ns, [x.time[i], y.time[i]]);
  assert.match(d.detail, /^seed 1: #\d+ at .*\nseed 2: #\d+ at /);
  assert.equal(firstDivergence(a, a, ['a', 'b']).kind, 'none');
});

test('two runs of different scenarios, or a real run and the model, diverge at their first differing milestone', () => {
  const a = recorded('seed-specjbb-128g', 1, ['limits.max-time=100']);
  const b = recorded('seed-idle-128g');
  const d = firstDivergence(a, b, ['busy', 'idle']);
  assert.equal(d.kind, 'milestone');
  assert.ok(d.time_ns[0] >= 0 || d.time_ns[1] >= 0);
  assert.match(d.label, /^first divergence: /);
});
