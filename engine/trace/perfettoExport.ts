// Export to Perfetto's native format (TrackEvent protobuf; ui.perfetto.dev opens it):
//  - a process per QEMU (source, destination) and a track per thread, holding its frames as
//    nested slices (the backtrace over time);
//  - a "state" child track per thread with a slice per state (running, blocked on mutex "bql", ...);
//  - a track per mutex with a slice per hold, named after the holder;
//  - a flow arrow from each waiter's blocked slice to the end of the hold it waited for;
//  - counter tracks from the stats samples: remaining, throughput, dirty pages rate, transferred,
//    cpu-throttle-percentage;
//  - a "migration" track with the stages as slices and each dirty bitmap sync as an instant.
// Packets are written as they are made, to a sink, so the export streams. The spans come from the
// trace walker (walker.ts), which the Chrome export and the timeline share.

import { perfetto } from './gen/perfetto';
import { ByteWriter } from './bytes';
import { PACKET_TAG } from './format';
import type { TraceData } from './reader';
import { waitLabel } from './exportWaits';
import { walkTrace } from './walker';
import { THREAD_STATE_NAMES } from '../sim/types';
import type { MigrationInfo } from '../qapi/migrationInfo';

const P = perfetto.protos;
const SEQ = 1;
const BEGIN = 1;
const END = 2;
const INSTANT = 3;
const COUNTER = 4;

export interface ByteSink {
  write(bytes: Uint8Array): void;
}

interface Counter {
  name: string;
  uuid: number;
  unit: number;
  unitName?: string;
  get: (q: MigrationInfo) => number | undefined;
}


export function exportPerfetto(t: TraceData, sink: ByteSink): { packets: number; flows: number } {
  const w = new ByteWriter(1 << 16);
  let packets = 0;
  const emit = (p: perfetto.protos.TracePacket.$Properties): void => {
    p.trusted_packet_sequence_id = SEQ;
    const body = P.TracePacket.encode(p).finish();
    w.byte(PACKET_TAG);
    w.varint(body.length);
    w.bytes(new Uint8Array(body.buffer, body.byteOffset, body.length));
    packets++;
    if (w.len > 1 << 20) {
      sink.write(w.view());
      w.reset();
    }
  };
  const ev = (ts: number, track: number, type: number, name?: string, extra: Partial<perfetto.protos.TrackEvent.$Properties> = {}): void => {
    const e: perfetto.protos.TrackEvent.$Properties = { type, track_uuid: track, ...extra };
    if (name !== undefined) e.name = name;
    emit({ timestamp: ts, track_event: e });
  };

  // Track uuids: processes 1-2, threads 100+tid, state tracks 100000+tid, mutexes 200000+id,
  // counters 300000+, the migration track 400000.
  const SRC_PID = 1;
  const DST_PID = 2;
  const pidOf = (tid: number) => (t.threads[tid]?.role === 'destination' ? DST_PID : SRC_PID);
  const threadTrack = (tid: number) => 100 + tid;
  const stateTrack = (tid: number) => 100000 + tid;
  const mutexTrack = (m: number) => 200000 + m;
  const MIG_TRACK = 400000;
  emit({ track_descriptor: { uuid: SRC_PID, process: { pid: SRC_PID, process_name: `source QEMU (${t.header.scenario_name})` } }, first_packet_on_sequence: true, sequence_flags: 1 });
  emit({ track_descriptor: { uuid: DST_PID, process: { pid: DST_PID, process_name: 'destination QEMU' } } });
  emit({ track_descriptor: { uuid: MIG_TRACK, parent_uuid: SRC_PID, name: 'migration' } });
  const declared = new Set<number>();
  const declareThread = (tid: number): void => {
    if (declared.has(tid)) return;
    declared.add(tid);
    const th = t.threads[tid];
    emit({ track_descriptor: { uuid: threadTrack(tid), parent_uuid: pidOf(tid), thread: { pid: pidOf(tid), tid: 1000 + tid, thread_name: th?.name ?? `thread ${tid}` } } });
    emit({ track_descriptor: { uuid: stateTrack(tid), parent_uuid: threadTrack(tid), name: `${th?.name ?? tid} state` } });
  };
  t.mutexes.forEach((name, m) => emit({ track_descriptor: { uuid: mutexTrack(m), parent_uuid: SRC_PID, name: `mutex ${name} held` } }));
  const counters: Counter[] = [
    { name: 'remaining (bytes)', uuid: 300001, unit: 3, get: (q) => q.ram?.remaining },
    { name: 'transferred (bytes)', uuid: 300002, unit: 3, get: (q) => q.ram?.transferred },
    { name: 'throughput (mbps)', uuid: 300003, unit: 0, unitName: 'Mbit/s', get: (q) => q.ram?.mbps },
    { name: 'dirty pages rate (pages/s)', uuid: 300004, unit: 2, get: (q) => q.ram?.['dirty-pages-rate'] },
    { name: 'cpu-throttle-percentage', uuid: 300005, unit: 0, unitName: '%', get: (q) => q['cpu-throttle-percentage'] },
  ];
  for (const c of counters) emit({ track_descriptor: { uuid: c.uuid, parent_uuid: SRC_PID, name: c.name, counter: { unit: c.unit, ...(c.unitName ? { unit_name: c.unitName } : {}) } } });

  // Flows: a contention opens one (waiter's blocked slice); the holder's release ends it.
  let flows = 0;
  walkTrace(t, {
    stateBegin(s, created, flow) {
      declareThread(s.tid);
      const name = created ? 'runnable' : `${THREAD_STATE_NAMES[s.state] ?? s.state}${s.wait_id >= 0 ? waitLabel(t, s.wait_kind, s.wait_id) : ''}`;
      ev(s.start_ns, stateTrack(s.tid), BEGIN, name, flow !== undefined ? { flow_ids: [flow] } : {});
    },
    stateEnd(s, end) {
      ev(end, stateTrack(s.tid), END);
    },
    frameBegin(f) {
      declareThread(f.tid);
      ev(f.start_ns, threadTrack(f.tid), BEGIN, t.functions[f.fn] ?? `function ${f.fn}`);
    },
    frameEnd(f, end) {
      ev(end, threadTrack(f.tid), END);
    },
    holdBegin(h) {
      ev(h.start_ns, mutexTrack(h.mutex), BEGIN, `held by ${t.threads[h.tid]?.name ?? h.tid}`, h.waited_ns > 0 ? { debug_annotations: [{ name: 'waited_ns', uint_value: h.waited_ns }] } : {});
    },
    holdEnd(h, end, contended, ending) {
      flows += ending.length;
      ev(end, mutexTrack(h.mutex), END, undefined, {
        ...(ending.length > 0 ? { terminating_flow_ids: ending } : {}),
        debug_annotations: [{ name: 'contended', bool_value: contended }],
      });
    },
    stageBegin(ts, stage, to) {
      ev(ts, MIG_TRACK, BEGIN, `${stage} (${to})`);
    },
    stageEnd(ts) {
      ev(ts, MIG_TRACK, END);
    },
    migrationDone(ts, to) {
      ev(ts, MIG_TRACK, INSTANT, `migration ${to}`);
    },
    model(ts, m) {
      if (m.kind === 'stats') {
        const q = m.payload as MigrationInfo;
        for (const ct of counters) {
          const v = ct.get(q);
          if (v !== undefined) ev(ts, ct.uuid, COUNTER, undefined, Number.isInteger(v) ? { counter_value: v } : { double_counter_value: v });
        }
      } else if (m.kind === 'sync') {
        const s = m.payload as Record<string, number>;
        ev(ts, MIG_TRACK, INSTANT, `migration_bitmap_sync #${s['dirty-sync-count']}`, { debug_annotations: [{ name: 'dirty_pages', uint_value: s['dirty-pages'] }, { name: 'remaining', uint_value: s.remaining }] });
      } else {
        ev(ts, MIG_TRACK, INSTANT, m.kind);
      }
    },
    hang(ts) {
      ev(ts, MIG_TRACK, INSTANT, `hang: ${t.hang?.kind ?? ''}`, { debug_annotations: [{ name: 'summary', string_value: t.hang?.summary ?? '' }] });
    },
    qemuTrace(tid, fn, ts, args) {
      declareThread(tid);
      ev(ts, threadTrack(tid), INSTANT, t.functions[fn] ?? `trace ${fn}`, args ? { debug_annotations: [{ name: 'args', string_value: args }] } : {});
    },
  });
  if (w.len > 0) sink.write(w.view());
  return { packets, flows };
}
