// Builds the timeline's columns (timelineData.ts) from a trace in one walk (walker.ts): a state
// track per thread, a track per frame depth, a hold track and a "contended" track per mutex, a
// lock lane per thread and mutex (Tracy's held / held while others wait / waiting), the wait flow
// arrows, QEMU trace point instants, and the counters, stages and markers (timelineStages.ts).

import type { TraceData } from './reader';
import { isComplete } from './reader';
import { walkTrace } from './walker';
import { F64, U32 } from './growable';
import { encodeState, LOCK_USE, TIMELINE_LAYOUT, type TimelineColumns, type TimelineMeta, type TimelineThread, type TimelineTrace } from './timelineData';
import { SpanSink } from './timelineSpans';
import { StageTracker } from './timelineStages';

/** Where the destination's threads are and which group of lanes each thread belongs to. */
export function threadLanes(t: TraceData): TimelineThread[] {
  return t.threads.map((th) => {
    const dst = th.role === 'destination';
    let group = th.role;
    if (dst) group = /\bCPU \d+/.test(th.name) ? 'vcpu' : /\bmain\b/.test(th.name) ? 'main' : 'other';
    if (!['main', 'migration', 'vcpu', 'sender'].includes(group)) group = 'other';
    return { tid: th.tid, name: th.name, role: th.role, side: dst ? 'destination' : 'source', group };
  });
}

export function buildTimeline(t: TraceData, label: string, file: string): TimelineTrace {
  const spans = new SpanSink(t);
  const stages = new StageTracker(t);
  // Flow ids are consecutive from 1: where each starts (the waiter's blocked state), by id.
  const flowT0 = new F64();
  const flowFrom = new U32();
  const FLOW_UNSTARTED = 0xffffffff;
  const fT0 = new F64();
  const fT1 = new F64();
  const fFrom = new U32();
  const fTo = new U32();
  const fMutex = new U32();
  /** (tid, mutex) → when it began waiting; mutex → waiters and since when that count holds */
  const waitingSince = new Map<number, number>();
  const waiters = new Map<number, { n: number; since: number }>();
  const waitKey = (tid: number, mutex: number) => mutex * 1048576 + tid;
  const setWaiters = (mutex: number, ts: number, d: number): void => {
    const w = waiters.get(mutex) ?? { n: 0, since: ts };
    if (w.n > 0 && ts > w.since) spans.contention(mutex, w.since, ts, w.n);
    w.n += d;
    w.since = ts;
    waiters.set(mutex, w);
  };
  const instTime = new F64();
  const instTid = new U32();
  const instFn = new U32();
  const instArgs: string[] = [];

  const walked = walkTrace(t, {
    stateBegin(s, _created, flow) {
      if (flow === undefined) return;
      while (flowFrom.n <= flow) {
        flowT0.push(0);
        flowFrom.push(FLOW_UNSTARTED);
      }
      flowT0.a[flow] = s.start_ns;
      flowFrom.a[flow] = s.tid;
    },
    stateEnd(s, end) {
      spans.state(s.tid, s.start_ns, end, encodeState(s.state, s.wait_kind, s.wait_id));
    },
    frameEnd(f, end) {
      spans.frame(f.tid, f.depth, f.start_ns, end, f.fn);
    },
    contend(mutex, tid, _owner, ts) {
      const k = waitKey(tid, mutex);
      if (waitingSince.has(k)) return;
      waitingSince.set(k, ts);
      setWaiters(mutex, ts, +1);
    },
    holdBegin(h) {
      const k = waitKey(h.tid, h.mutex);
      const since = waitingSince.get(k);
      if (since !== undefined) {
        waitingSince.delete(k);
        spans.lock(h.tid, h.mutex, since, h.start_ns, LOCK_USE.waiting);
        setWaiters(h.mutex, h.start_ns, -1);
      }
    },
    holdEnd(h, end, contended, ending) {
      spans.hold(h.mutex, h.start_ns, end, h.tid);
      const cs = h.contended_since_ns >= 0 ? h.contended_since_ns : contended ? h.start_ns : -1;
      if (cs < 0) spans.lock(h.tid, h.mutex, h.start_ns, end, LOCK_USE.held);
      else {
        if (cs > h.start_ns) spans.lock(h.tid, h.mutex, h.start_ns, cs, LOCK_USE.held);
        spans.lock(h.tid, h.mutex, cs, end, LOCK_USE.heldContended);
      }
      for (const id of ending) {
        if (id >= flowFrom.n || flowFrom.a[id] === FLOW_UNSTARTED) continue;
        fT0.push(flowT0.a[id]);
        fT1.push(end);
        fFrom.push(flowFrom.a[id]);
        fTo.push(h.tid);
        fMutex.push(h.mutex);
      }
    },
    stageBegin: (ts, stage, to) => stages.stageBegin(ts, stage, to),
    stageEnd: (ts) => stages.stageEnd(ts),
    migrationDone: (ts, to) => stages.migrationDone(ts, to),
    model: (ts, m) => stages.model(ts, m),
    hang: (ts) => stages.hang(ts),
    qemuTrace(tid, fn, ts, args) {
      instTime.push(ts);
      instTid.push(tid);
      instFn.push(fn);
      instArgs.push(args ?? '');
    },
  });
  const last = walked.last_ns;
  // Threads still waiting when the trace ends (a hang) wait until its end.
  for (const [k, since] of waitingSince) spans.lock(k % 1048576, Math.floor(k / 1048576), since, last, LOCK_USE.waiting);
  for (const [mutex, w] of waiters) if (w.n > 0 && last > w.since) spans.contention(mutex, w.since, last, w.n);
  const st = stages.finish(last);

  const n = t.events.count;
  const meta: TimelineMeta = {
    layout: TIMELINE_LAYOUT,
    label,
    file,
    scenario: t.header.scenario_name,
    scenario_json: t.header.scenario_json,
    seed: t.header.seed,
    strategy: t.header.strategy.name,
    profile: t.header.profile,
    source: t.header.source,
    engine_version: t.header.engine_version,
    qemu_version: t.header.qemu_version,
    host: t.header.host,
    format_version: t.header.format_version,
    ram_bytes: t.header.ram_bytes,
    vcpus: t.header.vcpus,
    events: n,
    bytes: t.bytes,
    start_ns: n > 0 ? t.events.time[0] : 0,
    end_ns: last,
    complete: isComplete(t),
    stopped: t.stopped,
    threads: threadLanes(t),
    mutexes: t.mutexes,
    conds: t.conds,
    sems: t.sems,
    functions: t.functions,
    stages: st.stages,
    markers: st.markers,
    counters: st.counters,
    syncs: st.syncs,
    instant_args: instArgs.some((x) => x !== '') ? instArgs : [],
    summary: t.footer?.summary ?? null,
    hang: t.hang,
  };
  const cols: TimelineColumns = {
    ...spans.columns(),
    flow_t0: fT0.take(),
    flow_t1: fT1.take(),
    flow_from: fFrom.take(),
    flow_to: fTo.take(),
    flow_mutex: fMutex.take(),
    inst_time: instTime.take(),
    inst_tid: instTid.take(),
    inst_fn: instFn.take(),
    ctr_time: st.ctr_time,
    ctr_value: st.ctr_value,
    ctr_offset: st.ctr_offset,
  };
  return { meta, cols };
}
