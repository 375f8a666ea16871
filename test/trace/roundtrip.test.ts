import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin } from '../../engine/scenario/load';
import { builtinNames } from '../../engine/scenario/load';
import { headerFor } from '../../engine/runtime/record';
import { MemorySink } from '../../engine/trace/sink';
import { readTrace, TraceDecoder, isComplete } from '../../engine/trace/reader';
import { TraceRecorder } from '../../engine/trace/recorder';
import { FanoutObserver, NullObserver, type Kernel } from '../../engine/sim';
import { runMigration } from '../../engine/model/run';
import { threadRole } from '../../engine/model/roles';
import { migtrace } from '../../engine/trace/gen/migtrace';
import { MAGIC } from '../../engine/trace/format';
import { resultJson } from '../../engine/model/resultJson';

/** Collects what the kernel reports, independently of the recorder, in the trace's columns. */
class Collector extends NullObserver {
  rows: number[][] = [];
  constructor(private readonly k: Kernel) { super(); }
  private add(kind: number, a: number, b: number, c: number) { this.rows.push([this.k.s.now_ns, kind, a, b, c]); }
  override threadCreated(tid: number, parent: number) { this.add(1, tid, parent + 1, 0); }
  override threadState(tid: number) { const t = this.k.s.threads[tid]; this.add(2, tid, t.state + 8 * t.wait_kind, t.wait_id + 1); }
  override framePush(tid: number, fn: number) { this.add(3, tid, fn, 0); }
  override framePop(tid: number, fn: number) { this.add(4, tid, fn, 0); }
  override lockContend(m: number, tid: number, o: number) { this.add(5, m, tid, o + 1); }
  override lockAcquire(m: number, tid: number, w: number) { this.add(6, m, tid, w); }
  override lockRelease(m: number, tid: number, h: number, c: boolean) { this.add(7, m, tid, 2 * h + (c ? 1 : 0)); }
  override condSignal(c: number, tid: number, w: number) { this.add(8, c, tid, w); }
  override semPost(s: number, tid: number, w: number) { this.add(9, s, tid, w); }
  override decision(_i: number, tid: number, r: readonly number[]) { this.add(10, tid, r.length, this.k.s.effect_hash.h1); }
  override objectCreated(kind: number, id: number) { this.add(11, kind, id, 0); }
  private model = 0;
  override custom() { this.add(12, this.model++, 0, 0); }
  override hang() { this.add(13, 0, 0, 0); }
  override finished() { this.add(14, 0, 0, 0); }
}

for (const name of builtinNames()) {
  test(`round trip: every event of ${name} is read back identical, and the schema decodes the file`, () => {
    const sc = loadBuiltin(name);
    const sink = new MemorySink();
    let rec: TraceRecorder | null = null;
    let col: Collector | null = null;
    const { result } = runMigration(sc.config, {
      observe: (k) => {
        rec = new TraceRecorder(k, headerFor(sc), sink, threadRole);
        col = new Collector(k);
        return new FanoutObserver([rec, col]);
      },
    });
    const stats = rec!.finish(resultJson(result));
    const bytes = sink.bytes();
    assert.equal(stats.bytes, bytes.length);
    const t = readTrace(bytes);
    assert.equal(t.stopped, null);
    assert.ok(isComplete(t));
    const rows = col!.rows;
    assert.equal(t.events.count, rows.length);
    const e = t.events;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (e.time[i] !== r[0] || e.kind[i] !== r[1] || e.a[i] !== r[2] || e.b[i] !== r[3] || e.c[i] !== r[4]) {
        assert.fail(`event ${i}: read ${[e.time[i], e.kind[i], e.a[i], e.b[i], e.c[i]]}, recorded ${r}`);
      }
    }
    assert.equal(t.header.scenario_name, name);
    assert.deepEqual(JSON.parse(t.header.scenario_json), sc.raw);
    assert.deepEqual(t.footer!.summary, JSON.parse(JSON.stringify(resultJson(result))));
    // QEMU's thread names: "CPU 0/TCG" on the host that runs its guest under TCG
    assert.deepEqual(t.threads.map((x) => x.name).slice(0, 2), ['main', sc.config.host.accel === 'tcg' ? 'CPU 0/TCG' : 'CPU 0/KVM']);
    assert.equal(t.threads.filter((x) => x.role === 'vcpu').length, sc.config.vcpus);
    // The generated decoder (proto/migtrace.proto) reads the same file: the hand-written event
    // codec agrees with the schema.
    const trace = migtrace.trace.Trace.decode(bytes.subarray(MAGIC.length));
    let fromSchema = 0;
    for (const p of trace.packet) {
      assert.equal(typeof p.crc32, 'number');
      if (p.events) {
        const b = p.events;
        assert.equal(Number(b.first_index), fromSchema);
        let time = Number(b.t0);
        for (let j = 0; j < b.kind!.length; j++) {
          time += Number(b.dt![j]);
          const i = fromSchema + j;
          assert.equal(time, e.time[i]);
          assert.equal(b.kind![j], e.kind[i]);
          assert.equal(Number(b.a![j]), e.a[i]);
          assert.equal(Number(b.b![j]), e.b[i]);
          assert.equal(Number(b.c![j]), e.c[i]);
        }
        fromSchema += b.kind!.length;
      }
    }
    assert.equal(fromSchema, e.count);
    // Reading in small chunks gives the same result as reading at once.
    const d = new TraceDecoder();
    for (let o = 0; o < bytes.length; o += 777) d.push(bytes.subarray(o, Math.min(bytes.length, o + 777)));
    const t2 = d.finish();
    assert.equal(t2.events.count, e.count);
    const m = Math.min(5000, e.count);
    assert.deepEqual(Array.from(t2.events.c.subarray(0, m)), Array.from(e.c.subarray(0, m)));
    assert.equal(t2.model.length, t.model.length);
    assert.ok(bytes.length / e.count < 16, `${(bytes.length / e.count).toFixed(2)} bytes per event`);
  });
}
