// The hand-written encoders of model-event and checkpoint packets write exactly what the
// generated protobuf code writes for the same properties, for the values a run produces and for
// the edge cases (zeros, optional fields present at zero, fractions, -0, 2^32 and beyond).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migtrace } from '../../engine/trace/gen/migtrace';
import { fastPacketBody } from '../../engine/trace/fastPackets';
import { modelEventPacket } from '../../engine/trace/modelEvents';
import type { PacketProps } from '../../engine/trace/packets';
import { prngCreate, prngInt, prngFloat } from '../../engine/sim/prng';

function generated(p: PacketProps): Uint8Array {
  const b = migtrace.trace.TracePacket.encode(p).finish();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function same(p: PacketProps): void {
  const fast = fastPacketBody(p);
  assert.ok(fast !== null, `fell back for ${JSON.stringify(p)}`);
  assert.deepEqual(Array.from(fast), Array.from(generated(p)), JSON.stringify(p));
}

const rng = prngCreate(99, 1);
const big = () => [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER, prngInt(rng, 1e9)][prngInt(rng, 13)];

test('model events and checkpoints: the same bytes as the generated code', () => {
  for (let i = 0; i < 3000; i++) {
    const ram: Record<string, number> = { transferred: big(), total: big(), duplicate: big(), normal: big(), 'normal-bytes': big(), mbps: [0, -0, 1.5, prngFloat(rng) * 1e4, 1e300][prngInt(rng, 5)], 'dirty-sync-count': big(), 'pages-per-second': big(), 'page-size': 4096, 'precopy-bytes': big(), 'downtime-bytes': big() };
    if (prngInt(rng, 2)) ram.remaining = big();
    if (prngInt(rng, 2)) ram['dirty-pages-rate'] = [0, big(), prngFloat(rng) * 1e6][prngInt(rng, 3)];
    const q: Record<string, unknown> = { status: ['active', 'device', 'completed', 'setup', ''][prngInt(rng, 5)], ram };
    for (const k of ['total-time', 'setup-time', 'downtime', 'expected-downtime', 'cpu-throttle-percentage']) if (prngInt(rng, 2)) q[k] = k === 'cpu-throttle-percentage' ? prngInt(rng, 100) : big();
    same({ model: modelEventPacket(prngInt(rng, 3) === 0 ? 0 : big() % 2 ** 32, big(), 'stats', q) });
    same({ model: modelEventPacket(big() % 2 ** 32, big(), 'sync', { 'dirty-sync-count': big(), 'dirty-pages': big(), remaining: big(), threshold: big() }) });
    same({ model: modelEventPacket(big() % 2 ** 32, big(), 'status', { from: 'active', to: ['device', '', 'completed'][prngInt(rng, 3)], stage: 'stop-copy' }) });
    same({ checkpoint: { event_index: big(), time_ns: big(), steps: big(), decisions: big(), hash1: big() % 2 ** 32, hash2: big() % 2 ** 32 } });
  }
});

test('what the hand-written encoders do not cover falls back to the generated code', () => {
  assert.equal(fastPacketBody({ model: modelEventPacket(1, 2, 'throttle', { pct: 20 }) }), null);
  assert.equal(fastPacketBody({ model: modelEventPacket(1, 2, 'status', { from: 'ä', to: 'b', stage: 'c' }) }), null);
  assert.equal(fastPacketBody({ checkpoint: { event_index: -1 } }), null);
  assert.equal(fastPacketBody({ function: { id: 1, name: 'f' } }), null);
});
