// The trace walker (engine/trace/walker.ts) that both exports and the timeline stand on: every
// begin has its end, in order; a thread's states follow one another without gap or overlap; frames
// close innermost first; a mutex's holds alternate; every wait flow that starts ends once (at the
// hold it waited for, or at the end of a hung trace).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, type TraceData } from '../../engine/trace/reader';
import { walkTrace } from '../../engine/trace/walker';
import { EK } from '../../engine/trace/format';

function recorded(sc: Parameters<typeof recordRun>[0]): TraceData {
  const sink = new MemorySink();
  recordRun(sc, sink);
  return readTrace(sink.bytes());
}

const busy = recorded(loadScenarioValue({
  name: 'walker-busy',
  guest: { memory: '1G', vcpus: 4, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 40000, stop: 8 } },
  migration: { profile: 'rfc-2012', 'max-bandwidth': '128M', 'downtime-limit': 300 },
  host: { profile: 'chegu-2012' },
}, 'walker-busy'));

/** A run that hangs: multifd-sync-hang on the first seed (of 1..30) that hangs. */
function hung(): TraceData {
  for (let seed = 1; seed <= 30; seed++) {
    const t = recorded(loadBuiltin('multifd-sync-hang', [], seed));
    if (t.hang !== null) return t;
  }
  throw new Error('multifd-sync-hang did not hang on seeds 1..30');
}

function check(t: TraceData): { states: number; frames: number; holds: number; flows: number } {
  const e = t.events;
  const last = e.time[e.count - 1];
  const stateOpen = new Map<number, number>();
  const stacks = new Map<number, number[]>();
  const holdOpen = new Map<number, number>();
  const flowsStarted = new Set<number>();
  const flowsEnded = new Set<number>();
  let stage = false;
  let states = 0;
  let frames = 0;
  let holds = 0;
  let prev = 0;
  const inOrder = (ts: number) => {
    assert.ok(ts >= prev, `callbacks in time order (${ts} after ${prev})`);
    prev = ts;
  };
  const r = walkTrace(t, {
    stateBegin(s, _created, flow) {
      inOrder(s.start_ns);
      assert.ok(!stateOpen.has(s.tid), `thread ${s.tid}: a state begins while one is open`);
      stateOpen.set(s.tid, s.start_ns);
      if (flow !== undefined) {
        assert.equal(s.state, 2, 'a flow starts at a blocked state');
        assert.equal(s.wait_kind, 1, 'on a mutex');
        flowsStarted.add(flow);
      }
    },
    stateEnd(s, end) {
      inOrder(end);
      assert.equal(stateOpen.get(s.tid), s.start_ns, 'the state that ends is the one that began');
      stateOpen.delete(s.tid);
      states++;
    },
    frameBegin(f) {
      inOrder(f.start_ns);
      const st = stacks.get(f.tid) ?? [];
      assert.equal(f.depth, st.length);
      st.push(f.fn);
      stacks.set(f.tid, st);
    },
    frameEnd(f, end) {
      inOrder(end);
      const st = stacks.get(f.tid)!;
      assert.equal(st.pop(), f.fn, 'innermost frame first');
      assert.equal(f.depth, st.length);
      frames++;
    },
    holdBegin(h) {
      inOrder(h.start_ns);
      assert.ok(!holdOpen.has(h.mutex), 'one holder at a time');
      holdOpen.set(h.mutex, h.tid);
    },
    holdEnd(h, end, _c, flows) {
      inOrder(end);
      assert.equal(holdOpen.get(h.mutex), h.tid);
      holdOpen.delete(h.mutex);
      if (h.contended_since_ns >= 0) assert.ok(h.contended_since_ns >= h.start_ns && h.contended_since_ns <= end);
      for (const f of flows) {
        assert.ok(!flowsEnded.has(f), `flow ${f} ends once`);
        flowsEnded.add(f);
      }
      holds++;
    },
    stageBegin(ts) {
      inOrder(ts);
      assert.ok(!stage);
      stage = true;
    },
    stageEnd(ts) {
      inOrder(ts);
      assert.ok(stage);
      stage = false;
    },
  });
  assert.equal(r.last_ns, last);
  assert.equal(stateOpen.size, 0, 'every state closed');
  assert.ok([...stacks.values()].every((s) => s.length === 0), 'every frame closed');
  assert.equal(holdOpen.size, 0, 'every hold closed');
  assert.ok(!stage, 'the stage closed');
  for (const f of flowsStarted) assert.ok(flowsEnded.has(f), `flow ${f} ends`);
  // the counts the events give
  let creates = 0;
  let changes = 0;
  let pushes = 0;
  let acquires = 0;
  for (let i = 0; i < e.count; i++) {
    const k = e.kind[i];
    if (k === EK.THREAD_CREATE) creates++;
    else if (k === EK.THREAD_STATE && e.b[i] % 8 !== 6) changes++;
    else if (k === EK.FRAME_PUSH) pushes++;
    else if (k === EK.LOCK_ACQUIRE) acquires++;
  }
  assert.equal(states, creates + changes, 'a state span per state event');
  assert.equal(frames, pushes, 'a frame span per push');
  assert.equal(holds, acquires, 'a hold per acquire');
  return { states, frames, holds, flows: flowsStarted.size };
}

test('the walk of a busy run: every begin has its end, in time order, with what began', () => {
  const c = check(busy);
  assert.ok(c.flows > 50, `${c.flows} wait flows`);
});

test('the walk of a hung run closes what the hang left open at its last event, and every wait flow ends', () => {
  const t = hung();
  check(t);
});
