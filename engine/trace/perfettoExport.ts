// Export to Perfetto's native format (TrackEvent protobuf; ui.perfetto.dev opens it):
//  - a process per QEMU (source, destination) and a track per thread, holding its frames as
//    nested slices (the backtrace over time);
//  - a "state" child track per thread with a slice per state (running, blocked on mutex "bql", ...);
//  - a track per mutex with a slice per hold, named after the holder;
//  - a flow arrow from each waiter's blocked slice to the end of the hold it waited for;
//  - counter tracks from the stats samples: remaining, throughput, dirty pages rate, transferred,
//    cpu-throttle-percentage;
//  - a "migration" track with the stages as slices and each dirty bitmap sync as an instant.
// Packets are written as they are made, to a sink, so the export streams.

import { perfetto } from './gen/perfetto';
import { ByteWriter } from './bytes';
import { EK, PACKET_TAG } from './format';
import type { TraceData } from './reader';
import { waitLabel, WaitFlows } from './exportWaits';
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

  const e = t.events;
  const stateOpen = new Map<number, boolean>();
  const holdOpen = new Map<number, number>(); // mutex → holder
  // Flows: a contention opens one (waiter's blocked slice); the holder's release ends it.
  const waits = new WaitFlows();
  let flows = 0;
  let stageOpen = false;
  let lastTime = 0;
  for (let i = 0; i < e.count; i++) {
    const ts = e.time[i];
    lastTime = ts;
    const a = e.a[i];
    const b = e.b[i];
    const c = e.c[i];
    switch (e.kind[i]) {
      case EK.THREAD_CREATE:
        declareThread(a);
        stateOpen.set(a, true);
        ev(ts, stateTrack(a), BEGIN, 'runnable');
        break;
      case EK.THREAD_STATE: {
        declareThread(a);
        const st = b % 8;
        if (stateOpen.get(a)) ev(ts, stateTrack(a), END);
        if (st === 6) {
          stateOpen.set(a, false);
          break;
        }
        const name = `${THREAD_STATE_NAMES[st] ?? st}${c > 0 ? waitLabel(t, Math.floor(b / 8), c - 1) : ''}`;
        const flow = Math.floor(b / 8) === 1 ? waits.start(a) : undefined;
        if (flow !== undefined) {
          ev(ts, stateTrack(a), BEGIN, name, { flow_ids: [flow] });
        } else {
          ev(ts, stateTrack(a), BEGIN, name);
        }
        stateOpen.set(a, true);
        break;
      }
      case EK.FRAME_PUSH:
        declareThread(a);
        ev(ts, threadTrack(a), BEGIN, t.functions[b] ?? `function ${b}`);
        break;
      case EK.FRAME_POP:
        ev(ts, threadTrack(a), END);
        break;
      case EK.LOCK_CONTEND:
        waits.contend(a, b);
        break;
      case EK.LOCK_ACQUIRE:
        holdOpen.set(a, b);
        ev(ts, mutexTrack(a), BEGIN, `held by ${t.threads[b]?.name ?? b}`, c > 0 ? { debug_annotations: [{ name: 'waited_ns', uint_value: c }] } : {});
        break;
      case EK.LOCK_RELEASE: {
        const ending = waits.end(a);
        flows += ending.length;
        ev(ts, mutexTrack(a), END, undefined, {
          ...(ending.length > 0 ? { terminating_flow_ids: ending } : {}),
          debug_annotations: [{ name: 'contended', bool_value: c % 2 === 1 }],
        });
        holdOpen.delete(a);
        break;
      }
      case EK.MODEL: {
        const m = t.model[a];
        if (m === undefined) break;
        if (m.kind === 'stats') {
          const q = m.payload as MigrationInfo;
          for (const ct of counters) {
            const v = ct.get(q);
            if (v !== undefined) ev(ts, ct.uuid, COUNTER, undefined, Number.isInteger(v) ? { counter_value: v } : { double_counter_value: v });
          }
        } else if (m.kind === 'status') {
          const s = m.payload as { to: string; stage: string };
          if (stageOpen) ev(ts, MIG_TRACK, END);
          stageOpen = s.stage !== 'done';
          if (stageOpen) ev(ts, MIG_TRACK, BEGIN, `${s.stage} (${s.to})`);
          else ev(ts, MIG_TRACK, INSTANT, `migration ${s.to}`);
        } else if (m.kind === 'sync') {
          const s = m.payload as Record<string, number>;
          ev(ts, MIG_TRACK, INSTANT, `migration_bitmap_sync #${s['dirty-sync-count']}`, { debug_annotations: [{ name: 'dirty_pages', uint_value: s['dirty-pages'] }, { name: 'remaining', uint_value: s.remaining }] });
        } else {
          ev(ts, MIG_TRACK, INSTANT, m.kind);
        }
        break;
      }
      case EK.HANG:
        ev(ts, MIG_TRACK, INSTANT, `hang: ${t.hang?.kind ?? ''}`, { debug_annotations: [{ name: 'summary', string_value: t.hang?.summary ?? '' }] });
        break;
      case EK.QEMU_TRACE: {
        declareThread(a);
        const args = c > 0 ? (t.model[c - 1]?.payload as { args?: string } | undefined)?.args : undefined;
        ev(ts, threadTrack(a), INSTANT, t.functions[b] ?? `trace ${b}`, args ? { debug_annotations: [{ name: 'args', string_value: args }] } : {});
        break;
      }
      default:
        break;
    }
  }
  // Close what is still open at the end, so that every slice has an end (Perfetto's rule).
  for (const [tid, open] of stateOpen) if (open) ev(lastTime, stateTrack(tid), END);
  for (const m of holdOpen.keys()) ev(lastTime, mutexTrack(m), END);
  if (stageOpen) ev(lastTime, MIG_TRACK, END);
  const depth = new Map<number, number>();
  for (let i = 0; i < e.count; i++) {
    if (e.kind[i] === EK.FRAME_PUSH) depth.set(e.a[i], (depth.get(e.a[i]) ?? 0) + 1);
    else if (e.kind[i] === EK.FRAME_POP) depth.set(e.a[i], (depth.get(e.a[i]) ?? 0) - 1);
  }
  for (const [tid, d] of depth) for (let k = 0; k < d; k++) ev(lastTime, threadTrack(tid), END);
  if (w.len > 0) sink.write(w.view());
  return { packets, flows };
}
