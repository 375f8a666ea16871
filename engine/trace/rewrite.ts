// Writing decoded trace data back out as a whole, valid trace: descriptors and model events
// first, then the events in batches, then the hang report and the footer. Used to re-encode a
// trace (for example after editing it in a test) and by importers that build TraceData.

import type { TraceData, TraceHeader } from './reader';
import type { TraceSink } from './sink';
import { TraceWriter, type RecordingStats, type TraceHeaderInfo } from './writer';

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
  };
}

export function writeTraceData(t: TraceData, sink: TraceSink): RecordingStats {
  const h = t.header;
  const e = t.events;
  let at = 0;
  const w = new TraceWriter(
    sink,
    {
      ...runHeaderOf(h),
      source: h.source,
      engine_version: h.engine_version,
      qemu_version: h.qemu_version,
      host: h.host,
    },
    () => ({ time_ns: at > 0 ? e.time[at - 1] : 0, steps: 0, decisions: 0 }),
  );
  t.functions.forEach((name, id) => w.func(id, name));
  t.threads.forEach((th) => w.thread(th.tid, th.name, th.parent, th.role));
  t.mutexes.forEach((name, id) => w.object(1, id, name));
  t.conds.forEach((name, id) => w.object(2, id, name));
  t.sems.forEach((name, id) => w.object(3, id, name));
  for (const m of t.model) w.model(m.time_ns, m.kind, m.payload);
  for (at = 0; at < e.count; ) {
    const i = at++;
    w.event(e.time[i], e.kind[i], e.a[i], e.b[i], e.c[i]);
  }
  if (t.hang !== null) w.hangReport(t.hang);
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
