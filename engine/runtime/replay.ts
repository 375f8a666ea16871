// Replay: re-run the engine from a trace's header (scenario as run, seed) with the scheduler
// following the recorded decisions, record the replay the same way, and compare it with the
// original byte for byte. A difference is reported at the first event that differs, with its time
// and both versions of it; a divergence the kernel notices first (a recorded decision that is no
// longer possible) is reported with its decision index too.

import { loadScenarioValue } from '../scenario/load';
import { ReplayDivergence, decisionLogCreate, type DecisionLog } from '../sim/decisionLog';
import type { MigrationResult } from '../model/run';
import { EK, TraceError } from '../trace/format';
import { readTrace, type TraceData } from '../trace/reader';
import { recordRun } from './record';
import { MemorySink } from '../trace/sink';
import { describeEvent } from '../trace/describe';
import { runHeaderOf } from '../trace/rewrite';

export interface ReplayReport {
  /** the replay reproduced the recording byte for byte (the whole of it, or all a truncated one holds) */
  matched: boolean;
  /** the recording is incomplete: the comparison covers what it holds */
  recording_incomplete: boolean;
  events_compared: number;
  divergence: null | {
    event_index: number;
    time_ns: number;
    recorded: string;
    replayed: string;
    /** what the kernel noticed, if it noticed first */
    kernel: string | null;
    /** the first recorded decision whose outcome differs (the kernel's finding), and its event index */
    decision: number | null;
    decision_event: number | null;
  };
  result: MigrationResult | null;
  replayed_bytes: number;
}

export function decisionsOf(t: TraceData): DecisionLog {
  const log = decisionLogCreate();
  const c = t.events;
  for (let i = 0; i < c.count; i++) {
    if (c.kind[i] === EK.DECISION) {
      log.tid.push(c.a[i]);
      log.hash1.push(c.c[i]);
    }
  }
  if (t.footer !== null) log.end = { h1: t.footer.effect_hash1, h2: t.footer.effect_hash2, steps: t.footer.steps };
  return log;
}

/** Index of the event that records decision number `d`, or -1. */
export function decisionEventIndex(t: TraceData, d: number): number {
  const c = t.events;
  let seen = 0;
  for (let i = 0; i < c.count; i++) {
    if (c.kind[i] === EK.DECISION) {
      if (seen === d) return i;
      seen++;
    }
  }
  return -1;
}


function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function replayTrace(original: Uint8Array, t: TraceData = readTrace(original)): ReplayReport {
  if (t.header.source !== 'simulation') throw new TraceError(`this trace records a ${t.header.source} run; only simulated runs can be replayed`);
  let scenario: unknown;
  try {
    scenario = JSON.parse(t.header.scenario_json);
  } catch {
    throw new TraceError('the trace header holds no readable scenario, so the run cannot be rebuilt');
  }
  const sc = loadScenarioValue(scenario, t.header.scenario_name || 'trace', [], t.header.seed);
  const sink = new MemorySink();
  let kernelSaid: string | null = null;
  let firstWrong = -1;
  let result: MigrationResult | null = null;
  try {
    result = recordRun(sc, sink, { strategy: { strategy: 'replay' }, replay: decisionsOf(t), header: runHeaderOf(t.header) }).result;
  } catch (e) {
    if (!(e instanceof ReplayDivergence)) throw e;
    kernelSaid = e.message;
    firstWrong = e.first_wrong;
  }
  const incomplete = t.footer === null || t.stopped !== null;
  const replayed = sink.bytes();
  if (kernelSaid === null && !incomplete && sameBytes(replayed, original.subarray(0, t.bytes))) {
    return { matched: true, recording_incomplete: false, events_compared: t.events.count, divergence: null, result, replayed_bytes: replayed.length };
  }
  // Find the first event that differs (the replayed trace may itself be cut short by a divergence).
  let r: TraceData | null;
  try {
    r = readTrace(replayed);
  } catch {
    r = null;
  }
  const a = t.events;
  const n = r === null ? 0 : Math.min(a.count, r.events.count);
  let i = 0;
  if (r !== null) {
    const b = r.events;
    while (i < n && a.time[i] === b.time[i] && a.kind[i] === b.kind[i] && a.a[i] === b.a[i] && a.b[i] === b.b[i] && a.c[i] === b.c[i]) i++;
  }
  const otherCount = r === null ? 0 : r.events.count;
  if (incomplete && i === a.count && kernelSaid !== null && /holds only/.test(kernelSaid)) {
    // The recording stops early; the replay matched every event it holds, then ran out of decisions.
    return { matched: true, recording_incomplete: true, events_compared: i, divergence: null, result, replayed_bytes: replayed.length };
  }
  if (incomplete && i === a.count && kernelSaid === null) {
    return { matched: true, recording_incomplete: true, events_compared: i, divergence: null, result, replayed_bytes: replayed.length };
  }
  const decisionEvent = firstWrong >= 0 ? decisionEventIndex(t, firstWrong) : -1;
  const decision = decisionEvent >= 0 ? { decision: firstWrong, decision_event: decisionEvent } : { decision: null, decision_event: null };
  const recorded = i < a.count ? describeEvent(t, i) : '(the recording ends here)';
  const replayedText = r !== null && i < otherCount ? describeEvent(r, i) : '(the replay ends here)';
  const time = i < a.count ? a.time[i] : r !== null && i < otherCount ? r.events.time[i] : 0;
  if (i === a.count && i === otherCount && kernelSaid === null) {
    // Same events, other bytes: model events, descriptors or the footer differ.
    return { matched: false, recording_incomplete: incomplete, events_compared: i, divergence: { event_index: i, time_ns: time, recorded: 'the same events, but other bytes (model events, descriptors or the run summary differ)', replayed: '', kernel: null, decision: null, decision_event: null }, result, replayed_bytes: replayed.length };
  }
  return { matched: false, recording_incomplete: incomplete, events_compared: i, divergence: { event_index: i, time_ns: time, recorded, replayed: replayedText, kernel: kernelSaid, ...decision }, result, replayed_bytes: replayed.length };
}
