// Damaged traces: thousands of random truncations, bit flips and splices of a real trace. Each
// must be read correctly up to a clearly reported point (every event read is the original's
// event at that index, and the damage is reported), or refused with a TraceError. Nothing else
// may escape, nothing may hang, and nothing read may exceed what the original holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadScenarioValue } from '../../engine/scenario/load';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, isComplete, type TraceData } from '../../engine/trace/reader';
import { TraceError } from '../../engine/trace/format';

const sc = loadScenarioValue({
  name: 'robustness',
  guest: { memory: '512M', vcpus: 2, workload: { kind: 'specjbb', 'working-set': '64M', 'dirty-rate': 30000 } },
  migration: { profile: 'rfc-2012', 'max-bandwidth': '64M', 'downtime-limit': 300 },
  limits: { 'max-time': 60 },
}, 'robustness');
const sink = new MemorySink();
recordRun(sc, sink);
const original = sink.bytes();
const base = readTrace(original);

function checkRead(bytes: Uint8Array, firstChange: number): void {
  let t: TraceData;
  try {
    t = readTrace(bytes);
  } catch (e) {
    assert.ok(e instanceof TraceError, `not a TraceError: ${e instanceof Error ? e.stack : String(e)}`);
    assert.ok(e.message.length > 10);
    return;
  }
  const a = base.events;
  const b = t.events;
  assert.ok(b.count <= a.count, `read ${b.count} events from a trace of ${a.count}`);
  for (let i = 0; i < b.count; i++) {
    if (a.time[i] !== b.time[i] || a.kind[i] !== b.kind[i] || a.a[i] !== b.a[i] || a.b[i] !== b.b[i] || a.c[i] !== b.c[i]) {
      assert.fail(`event ${i} was read wrong (damage at byte ${firstChange})`);
    }
  }
  assert.ok(t.model.length <= base.model.length);
  for (let i = 0; i < t.model.length; i++) assert.deepEqual(t.model[i], base.model[i]);
  let same = bytes.length === original.length;
  for (let i = 0; same && i < bytes.length; i++) same = bytes[i] === original[i];
  if (!same) {
    assert.ok(!isComplete(t), `damage at byte ${firstChange} went unnoticed`);
    assert.ok(t.stopped !== null && t.stopped.reason.length > 10);
    assert.ok(t.stopped!.offset >= 8 && t.stopped!.offset <= bytes.length, `the reported point ${t.stopped!.offset} is within the file`);
  }
}

test('the base trace is whole and has many batches and model events', () => {
  assert.ok(isComplete(base));
  assert.ok(base.checkpoints.length >= 3, `${base.checkpoints.length} checkpoints`);
  assert.ok(base.model.length > 50);
  console.log(`robustness base trace: ${original.length} bytes, ${base.events.count} events, ${base.checkpoints.length} batches`);
});

test('random truncations read up to the last whole packet and say so', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: original.length - 1 }), (len) => {
    const cut = original.slice(0, len);
    checkRead(cut, len);
    if (len > 200) {
      const t = readTrace(cut);
      assert.match(t.stopped!.reason, /ends inside a packet|without a footer/);
    }
  }), { numRuns: 1500, seed: 1 });
});

test('random bit flips are detected, never misread', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
    const b = original.slice();
    b[pos] ^= 1 << bit;
    checkRead(b, pos);
  }), { numRuns: 2000, seed: 2 });
});

test('random splices (cut, repeated or moved ranges) are detected, never misread', () => {
  fc.assert(fc.property(fc.integer({ min: 8, max: original.length - 1 }), fc.integer({ min: 1, max: 20000 }), fc.constantFrom('cut', 'repeat', 'move'), (x, len, how) => {
    const y = Math.min(original.length, x + len);
    const parts = how === 'cut' ? [original.subarray(0, x), original.subarray(y)]
      : how === 'repeat' ? [original.subarray(0, y), original.subarray(x, y), original.subarray(y)]
        : [original.subarray(0, x), original.subarray(y), original.subarray(x, y)];
    const b = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      b.set(p, o);
      o += p.length;
    }
    checkRead(b, x);
  }), { numRuns: 600, seed: 3 });
});

test('garbage after whole packets, and files that are not traces, get clear errors', () => {
  assert.throws(() => readTrace(new Uint8Array(0)), /file is empty/);
  assert.throws(() => readTrace(new TextEncoder().encode('{"traceEvents": []}')), /not a migtrace trace: it starts with 7b 22/);
  assert.throws(() => readTrace(original.slice(0, 5)), /shorter than the 8-byte magic/);
  const withTail = new Uint8Array([...original, 1, 2, 3]);
  const t = readTrace(withTail);
  assert.match(t.stopped!.reason, /trailing data after the footer/);
});
