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
import { readTrace, isComplete, TraceDamagedError, TraceDecoder, type TraceData } from '../../engine/trace/reader';
import { MAGIC, TraceError } from '../../engine/trace/format';

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
      assert.match(t.stopped!.reason, new RegExp(`^the file \\(${len} bytes\\) ends (inside the packet at byte \\d+|after the packet before byte ${len}, with no footer)`));
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

/** Where each packet starts (the first, the header, at byte 8). */
function packetStarts(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 8; i < b.length;) {
    out.push(i);
    let len = 0;
    let shift = 0;
    let j = i + 1;
    for (;;) {
      const x = b[j++];
      len += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    i = j + len;
  }
  return out;
}

/** Reads `bytes` pushed in chunks of `chunk` bytes, as the CLI reads a file (1 MiB at a time). */
function readChunked(bytes: Uint8Array, chunk: number): TraceData {
  const d = new TraceDecoder(bytes.length);
  for (let o = 0; o < bytes.length; o += chunk) d.push(bytes.subarray(o, Math.min(bytes.length, o + chunk)));
  return d.finish();
}

test('damage inside the header packet is reported as damage of the header, naming the byte and the cause', () => {
  const headerEnd = packetStarts(original)[1];
  for (let at = 8; at < headerEnd; at++) {
    const b = original.slice();
    b[at] ^= 0x01;
    let err: unknown;
    try {
      readTrace(b);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TraceDamagedError, `a flip at byte ${at} of the header: ${String(err)}`);
    const m = (err as Error).message;
    assert.doesNotMatch(m, /ends before its header/, `flip at ${at}`);
    // Either the checksum catches it, or a changed length makes the packet run past its end.
    assert.match(m, /^(damaged: its header packet is bad, so nothing can be read: the packet at byte 8 .*(fails its checksum \(CRC-32 stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)|does not end in its CRC-32 field)|damaged: its header packet is bad, so nothing can be read: .*byte 8|incomplete: the file is \d+ bytes and ends inside its header packet \(from byte 8, which claims \d+ bytes)/, `flip at ${at}: ${m}`);
  }
  const flip12 = original.slice();
  flip12[12] ^= 0x01;
  assert.throws(() => readTrace(flip12), /damaged: its header packet is bad, so nothing can be read: the packet at byte 8 \(\d+ bytes, to byte \d+\) fails its checksum/);
});

test('a truncated header and a lone magic are damage (TraceDamagedError) in the reader\'s own words; an empty file is not a trace', () => {
  const headerEnd = packetStarts(original)[1];
  assert.throws(() => readTrace(original.slice(0, 8)), (e: unknown) => e instanceof TraceDamagedError && /the file is 8 bytes, the magic alone; its header packet \(from byte 8\) is missing/.test((e as Error).message));
  assert.throws(() => readTrace(original.slice(0, headerEnd - 1)), (e: unknown) => e instanceof TraceDamagedError && new RegExp(`the file is ${headerEnd - 1} bytes and ends inside its header packet`).test((e as Error).message));
  assert.throws(() => readTrace(original.slice(0, 9)), (e: unknown) => e instanceof TraceDamagedError && /1 byte of it is there/.test((e as Error).message));
  assert.throws(() => readTrace(new Uint8Array(0)), (e: unknown) => e instanceof TraceError && !(e instanceof TraceDamagedError));
});

test('trailing data is counted whole, however the file is pushed (one chunk, 1 MiB chunks, 1000-byte chunks)', () => {
  const n = original.length;
  const tails: [string, Uint8Array][] = [
    ['one byte', new Uint8Array([7])],
    ['another trace', original],
    ['3 MiB of zeros', new Uint8Array(3 << 20)],
    ['1 MiB + 1 of 0xff', new Uint8Array((1 << 20) + 1).fill(0xff)],
  ];
  for (const [what, tail] of tails) {
    const file = new Uint8Array(n + tail.length);
    file.set(original);
    file.set(tail, n);
    for (const chunk of [file.length, 1 << 20, 1000]) {
      const t = readChunked(file, chunk);
      assert.equal(t.footer !== null, true, `${what}: the footer is read`);
      assert.equal(t.events.count, base.events.count, `${what}: every event is read`);
      assert.equal(t.stopped?.offset, n, `${what}, chunks of ${chunk}: the damage is placed at the footer's end`);
      assert.match(t.stopped!.reason, new RegExp(`^damaged: ${tail.length} bytes? of trailing data after the footer, from byte ${n} to the end \\(byte ${file.length}\\)`), `${what}, chunks of ${chunk}`);
      assert.equal(/they start with a migtrace magic/.test(t.stopped!.reason), tail[0] === MAGIC[0] && tail.length >= 8, `${what}: whether it looks like another trace`);
    }
  }
});

test('truncations read the same whether pushed whole or in small chunks', () => {
  for (const len of [9, 100, 1000, 5000, original.length - 1]) {
    if (len >= original.length) continue;
    const cut = original.slice(0, len);
    let a: TraceData | string;
    let b: TraceData | string;
    try {
      a = readTrace(cut);
    } catch (e) {
      a = (e as Error).message;
    }
    try {
      b = readChunked(cut, 333);
    } catch (e) {
      b = (e as Error).message;
    }
    if (typeof a === 'string' || typeof b === 'string') assert.equal(b, a);
    else {
      assert.deepEqual(b.stopped, a.stopped, `cut at ${len}`);
      assert.equal(b.events.count, a.events.count);
    }
  }
});
