import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenarioValue } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace } from '../../engine/trace/reader';
import { exportPerfetto } from '../../engine/trace/perfettoExport';
import { exportChromeJson } from '../../engine/trace/chromeExport';
import { perfetto } from '../../engine/trace/gen/perfetto';

// A busy rfc-2012 migration: vCPUs contend for the BQL the migration thread holds, so the export
// must carry waits, holds, syncs and the stages.
const sc = loadScenarioValue({
  name: 'export-busy',
  guest: { memory: '1G', vcpus: 4, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 40000, stop: 8 } },
  migration: { profile: 'rfc-2012', 'max-bandwidth': '128M', 'downtime-limit': 300 },
  host: { profile: 'chegu-2012' },
}, 'export-busy');
const sink = new MemorySink();
recordRun(sc, sink);
const trace = readTrace(sink.bytes());

test('the Perfetto export decodes with Perfetto\'s field numbers and has the expected tracks, slices, flows and counters', () => {
  const chunks: Uint8Array[] = [];
  const { packets, flows } = exportPerfetto(trace, { write: (b) => chunks.push(b.slice()) });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { bytes.set(c, o); o += c.length; }
  const t = perfetto.protos.Trace.decode(bytes);
  assert.equal(t.packet.length, packets);
  const tracks = new Map<number, perfetto.protos.TrackDescriptor>();
  for (const p of t.packet) {
    assert.equal(p.trusted_packet_sequence_id, 1);
    if (p.track_descriptor) tracks.set(Number(p.track_descriptor.uuid), p.track_descriptor as perfetto.protos.TrackDescriptor);
  }
  const threadNames = [...tracks.values()].filter((d) => d.thread).map((d) => d.thread!.thread_name);
  for (const n of ['main', 'CPU 0/KVM', 'CPU 3/KVM', 'migration', 'dst main']) assert.ok(threadNames.includes(n), `thread track ${n}`);
  const processes = [...tracks.values()].filter((d) => d.process).map((d) => d.process!.process_name);
  assert.equal(processes.length, 2);
  const counterNames = [...tracks.values()].filter((d) => d.counter).map((d) => d.name);
  for (const n of ['remaining (bytes)', 'throughput (mbps)', 'dirty pages rate (pages/s)', 'cpu-throttle-percentage', 'transferred (bytes)']) assert.ok(counterNames.includes(n), `counter ${n}`);
  assert.ok([...tracks.values()].some((d) => d.name === 'mutex bql held'));
  // Slices nest per track: every BEGIN has its END, never an END without a BEGIN.
  const depth = new Map<number, number>();
  const begins = new Map<number, string[]>();
  let lastTs = 0;
  const flowStarts = new Set<string>();
  const flowEnds = new Set<string>();
  let counterValues = 0;
  for (const p of t.packet) {
    const e = p.track_event;
    if (!e) continue;
    const ts = Number(p.timestamp);
    assert.ok(ts >= lastTs, 'packets in time order');
    lastTs = ts;
    const tr = Number(e.track_uuid);
    assert.ok(tracks.has(tr), `event on undeclared track ${tr}`);
    if (e.type === 1) {
      depth.set(tr, (depth.get(tr) ?? 0) + 1);
      const list = begins.get(tr) ?? [];
      list.push(e.name ?? '');
      begins.set(tr, list);
    } else if (e.type === 2) {
      const d = (depth.get(tr) ?? 0) - 1;
      assert.ok(d >= 0, `END without BEGIN on track ${tracks.get(tr)?.name ?? tracks.get(tr)?.thread?.thread_name}`);
      depth.set(tr, d);
    } else if (e.type === 4) {
      counterValues++;
    }
    for (const f of e.flow_ids ?? []) flowStarts.add(String(f));
    for (const f of e.terminating_flow_ids ?? []) flowEnds.add(String(f));
  }
  for (const [tr, d] of depth) assert.equal(d, 0, `track ${tr} left ${d} slices open`);
  // Frames appear as slices on thread tracks, states and holds on their own tracks.
  const all = [...begins.values()].flat();
  for (const n of ['buffered_file_thread', 'ram_save_block', 'qemu_kvm_cpu_thread_fn', 'kvm_vcpu_ioctl', 'ram_save_complete']) assert.ok(all.includes(n), `frame slice ${n}`);
  assert.ok(all.some((n) => n === 'blocked on mutex "bql"'), 'state slice: blocked on the BQL');
  assert.ok(all.some((n) => n.startsWith('held by CPU ')) && all.includes('held by migration'), 'hold slices named by holder');
  assert.ok(all.some((n) => n.startsWith('iterative')) && all.some((n) => n.startsWith('stop-copy')), 'stage slices');
  // Every wait flow starts at a waiter and ends at the hold it waited for.
  assert.ok(flows > 50, `${flows} flows`);
  assert.equal(flowStarts.size, flows);
  assert.deepEqual([...flowStarts].sort(), [...flowEnds].sort());
  assert.ok(counterValues > 100);
});

test('the Chrome JSON export parses, nests per lane, and pairs every flow', () => {
  const parts: string[] = [];
  const { events } = exportChromeJson(trace, { write: (s) => parts.push(s) });
  assert.ok(parts.length > 2, 'written in chunks');
  const j = JSON.parse(parts.join('')) as { traceEvents: Record<string, unknown>[] };
  assert.equal(j.traceEvents.length, events);
  const depth = new Map<string, number>();
  const s = new Set<number>();
  const f = new Set<number>();
  for (const e of j.traceEvents) {
    const lane = `${e.pid}/${e.tid}`;
    if (e.ph === 'B') depth.set(lane, (depth.get(lane) ?? 0) + 1);
    if (e.ph === 'E') {
      const d = (depth.get(lane) ?? 0) - 1;
      assert.ok(d >= 0, `E without B on ${lane}`);
      depth.set(lane, d);
    }
    if (e.ph === 's') s.add(e.id as number);
    if (e.ph === 'f') f.add(e.id as number);
    if (e.ph !== 'M') assert.equal(typeof e.ts, 'number');
  }
  for (const [lane, d] of depth) assert.equal(d, 0, `lane ${lane} left open`);
  assert.ok(s.size > 50);
  assert.deepEqual([...s].sort(), [...f].sort());
  assert.ok(j.traceEvents.some((e) => e.ph === 'C' && e.name === 'migration'));
  assert.ok(j.traceEvents.some((e) => e.ph === 'M' && (e.args as { name?: string }).name === 'CPU 2/KVM'));
});
