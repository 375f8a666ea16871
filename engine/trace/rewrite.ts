// Writing decoded trace data back out as a whole, valid trace: descriptors and model events
// first, then the events in batches, then the hang report and the footer. Used to re-encode a
// trace (for example after editing it in a test) and by importers that build TraceData.

import type { TraceData, TraceHeader } from './reader';
import type { TraceSink } from './sink';
import { TraceWriter, type RecordingStats, type TraceHeaderInfo } from './writer';
import { EK } from './format';

/** What a header says about the run itself (a replay re-records it under this engine). */
export function runHeaderOf(h: TraceHeader): TraceHeaderInfo {
  return {
    scenario_name: h.scenario_name,
    scenario_json: h.scenario_json,
    seed: h.seed,
    strategy: { name: h.strategy.name, depth: h.strategy.depth || undefined, steps_max: h.strategy.steps_max || undefined },
    profile: h.profile,
    ram_bytes: h.ram_bytes,
    vcpus: h.vcpus,
    explanation: h.explanation || undefined,
  };
}

/**
 * Writes `t` as a whole trace. A trace read from a recording comes back byte for byte: packets go
 * out in the order the recorder wrote them (a thread or object descriptor just before its create
 * event, a model event just before the event that refers to it, the hang report just after the
 * hang event) and each checkpoint carries the recorded run position. Descriptors and model events
 * that no event refers to (an importer's) go first.
 */
export function writeTraceData(t: TraceData, sink: TraceSink): RecordingStats {
  const h = t.header;
  const e = t.events;
  let at = 0;
  let batch = 0;
  const w = new TraceWriter(
    sink,
    {
      ...runHeaderOf(h),
      source: h.source,
      engine_version: h.engine_version,
      qemu_version: h.qemu_version,
      host: h.host,
    },
    () => {
      const cp = t.checkpoints[batch++];
      if (cp !== undefined && cp.event_index === w.eventCount) return { time_ns: cp.time_ns, steps: cp.steps, decisions: cp.decisions };
      return { time_ns: at > 0 ? e.time[at - 1] : 0, steps: 0, decisions: 0 };
    },
  );
  const createdThread = new Set<number>();
  const createdObject = new Set<string>();
  const referencedModel = new Set<number>();
  for (let i = 0; i < e.count; i++) {
    const k = e.kind[i];
    if (k === EK.THREAD_CREATE) createdThread.add(e.a[i]);
    else if (k === EK.OBJECT_CREATE) createdObject.add(`${e.a[i]}:${e.b[i]}`);
    else if (k === EK.MODEL) referencedModel.add(e.a[i]);
  }
  const objectNames = [t.mutexes, t.conds, t.sems];
  const threadByTid = new Map(t.threads.map((th) => [th.tid, th]));
  t.functions.forEach((name, id) => w.func(id, name));
  t.threads.forEach((th) => { if (!createdThread.has(th.tid)) w.thread(th.tid, th.name, th.parent, th.role); });
  objectNames.forEach((names, k) => names.forEach((name, id) => { if (!createdObject.has(`${k + 1}:${id}`)) w.object(k + 1, id, name); }));
  let nextModel = 0;
  // Model records are written in index order; those no event refers to go out before the next referenced one.
  const modelUpTo = (index: number): void => {
    for (; nextModel < t.model.length && nextModel <= index; nextModel++) {
      const m = t.model[nextModel];
      w.model(m.time_ns, m.kind, m.payload);
    }
  };
  while (nextModel < t.model.length && !referencedModel.has(nextModel)) modelUpTo(nextModel);
  for (at = 0; at < e.count; ) {
    const i = at++;
    const k = e.kind[i];
    if (k === EK.THREAD_CREATE) {
      const th = threadByTid.get(e.a[i]);
      if (th !== undefined) w.thread(th.tid, th.name, th.parent, th.role);
    } else if (k === EK.OBJECT_CREATE) {
      const name = objectNames[e.a[i] - 1]?.[e.b[i]];
      if (name !== undefined) w.object(e.a[i], e.b[i], name);
    } else if (k === EK.MODEL) {
      modelUpTo(e.a[i]);
    }
    w.event(e.time[i], k, e.a[i], e.b[i], e.c[i]);
    if (k === EK.HANG && t.hang !== null) w.hangReport(t.hang);
  }
  modelUpTo(t.model.length - 1);
  if (t.hang !== null && !hasHangEvent(t)) w.hangReport(t.hang);
  const f = t.footer;
  return w.finish({
    time_ns: f?.end_ns ?? (e.count > 0 ? e.time[e.count - 1] : 0),
    steps: f?.steps ?? 0,
    decisions: f?.decisions ?? 0,
    effect_hash1: f?.effect_hash1 ?? 0,
    effect_hash2: f?.effect_hash2 ?? 0,
    status: f?.status ?? 'unknown',
    summary: f?.summary ?? null,
  });
}

function hasHangEvent(t: TraceData): boolean {
  const e = t.events;
  for (let i = 0; i < e.count; i++) if (e.kind[i] === EK.HANG) return true;
  return false;
}
