import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinNames, loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, type TraceData } from '../../engine/trace/reader';
import { replayTrace, decisionEventIndex } from '../../engine/runtime/replay';
import { writeTraceData } from '../../engine/trace/rewrite';
import { EK } from '../../engine/trace/format';

function record(sc: ReturnType<typeof loadBuiltin>): Uint8Array {
  const sink = new MemorySink();
  recordRun(sc, sink);
  return sink.bytes();
}

function rewrite(t: TraceData): Uint8Array {
  const sink = new MemorySink();
  writeTraceData(t, sink);
  return sink.bytes();
}

for (const name of builtinNames()) {
  test(`replay of ${name} reproduces its trace byte for byte`, () => {
    const bytes = record(loadBuiltin(name));
    const rep = replayTrace(bytes);
    assert.equal(rep.matched, true, JSON.stringify(rep.divergence));
    assert.equal(rep.recording_incomplete, false);
    assert.equal(rep.replayed_bytes, bytes.length);
    assert.equal(rep.result!.outcome, (readTrace(bytes).footer!.summary as { outcome: string }).outcome, 'the replay ends as the recording did');
  });
}

const busy = {
  name: 'busy-small',
  guest: { memory: '1G', vcpus: 4, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 40000 } },
  migration: { profile: 'rfc-2012', 'max-bandwidth': '256M', 'downtime-limit': 300 },
  host: { profile: 'chegu-2012' },
};

test('one altered decision is reported as a divergence at that decision', () => {
  const sc = loadScenarioValue(busy, 'busy-small');
  const bytes = record(sc);
  const t = readTrace(bytes);
  const e = t.events;
  // Ready sets are not recorded, only their size: change a decision between two ready threads
  // to the other one, by looking at who else stepped at that instant.
  let checked = 0;
  const decisions: number[] = [];
  for (let i = 0; i < e.count; i++) if (e.kind[i] === EK.DECISION && e.b[i] === 2) decisions.push(i);
  assert.ok(decisions.length > 100);
  for (const pick of [0.1, 0.5, 0.9]) {
    const at = decisions[Math.floor(decisions.length * pick)];
    // The other ready thread steps next at the same time: the next event at that instant with another tid.
    let other = -1;
    for (let j = at + 1; j < e.count && e.time[j] === e.time[at]; j++) {
      if (e.kind[j] === EK.DECISION || e.kind[j] === EK.FRAME_PUSH || e.kind[j] === EK.FRAME_POP || e.kind[j] === EK.THREAD_STATE) {
        const tid = e.kind[j] === EK.DECISION ? e.a[j] : e.a[j];
        if (tid !== e.a[at]) { other = tid; break; }
      }
    }
    if (other < 0) continue;
    let d = 0;
    for (let i = 0; i < at; i++) if (e.kind[i] === EK.DECISION) d++;
    const edited = readTrace(bytes);
    edited.events.a[at] = other;
    const rep = replayTrace(rewrite(edited));
    assert.equal(rep.matched, false);
    const div = rep.divergence!;
    assert.equal(div.decision, d, `the first wrong decision is #${d}`);
    assert.equal(div.decision_event, at);
    assert.equal(decisionEventIndex(edited, d), at);
    assert.ok(div.event_index > at && div.event_index <= at + 40, `first differing event ${div.event_index} just after the decision at ${at}`);
    checked++;
  }
  assert.ok(checked >= 2, `only ${checked} decisions could be altered`);
});

test('a decision changed to a thread that was not ready is caught at that very decision', () => {
  const sc = loadScenarioValue(busy, 'busy-small');
  const t = readTrace(record(sc));
  const e = t.events;
  let at = -1;
  let d = -1;
  for (let i = 0, n = 0; i < e.count; i++) if (e.kind[i] === EK.DECISION) { if (n === 500) { at = i; d = n; break; } n++; }
  assert.ok(at > 0);
  t.events.a[at] = t.threads.length - 1; // the destination thread: never ready among vCPUs racing for the BQL at this point
  const rep = replayTrace(rewrite(t));
  assert.equal(rep.matched, false);
  assert.equal(rep.divergence!.decision, d);
  assert.match(rep.divergence!.kernel ?? '', /not ready|differ/);
});

test('a truncated trace replays up to its end and says it is incomplete', () => {
  const bytes = record(loadScenarioValue(busy, 'busy-small'));
  const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
  const rep = replayTrace(cut);
  assert.equal(rep.matched, true, JSON.stringify(rep.divergence));
  assert.equal(rep.recording_incomplete, true);
  assert.equal(rep.events_compared, readTrace(cut).events.count);
});

test('a trace rewritten without changes is the same bytes, and replays as a match', () => {
  for (const name of ['qtest-bootblock', 'seed-stage3-hang', 'page0-offbyone', 'fault-link-cut']) {
    const bytes = record(loadBuiltin(name));
    const again = rewrite(readTrace(bytes));
    assert.equal(Buffer.compare(Buffer.from(again), Buffer.from(bytes)), 0, `${name}: the rewrite differs from the recording`);
    const rep = replayTrace(again);
    assert.equal(rep.matched, true, `${name}: ${JSON.stringify(rep.divergence)}`);
  }
});
