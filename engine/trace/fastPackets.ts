// Hand-written encoders for the structured packets a simulation writes thousands of times per run
// (query-migrate samples, syncs, status changes, checkpoints): byte for byte what the generated
// code writes for the same properties (proto3 scalars skipped at 0, `optional` ones whenever
// present, uint64 numbers truncated as protobufjs's LongBits do, doubles skipped only at +0), so
// recording costs little and the file stays identical (test/trace/golden.test.ts holds it). A
// value outside what these handle (a negative number, a non-ASCII string) returns false, and the
// caller falls back to the generated code.

import type { ByteWriter } from './bytes';
import type { PacketProps } from './packets';
import type { migtrace } from './gen/migtrace';

type Model = migtrace.trace.ModelEvent.$Properties;
type Info = migtrace.trace.MigrationInfo.$Properties;
type Ram = migtrace.trace.RamStats.$Properties;
type Cp = migtrace.trace.Checkpoint.$Properties;

/** A little writer into a scratch array, growing as needed. */
class Scratch {
  b = new Uint8Array(512);
  n = 0;
  ok = true;

  private room(k: number): void {
    if (this.n + k <= this.b.length) return;
    const nb = new Uint8Array(Math.max(this.b.length * 2, this.n + k));
    nb.set(this.b.subarray(0, this.n));
    this.b = nb;
  }

  byte(v: number): void {
    this.room(1);
    this.b[this.n++] = v;
  }

  /** varint of a non-negative safe integer */
  varint(v: number): void {
    this.room(10);
    const b = this.b;
    let i = this.n;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        b[i++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        b[i++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    b[i++] = v;
    this.n = i;
  }

  /** protobufjs's uint64 of a JS number: non-negative only (else the generated code takes over) */
  u64(v: number): void {
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER)) {
      this.ok = false;
      return;
    }
    this.varint(Math.trunc(v));
  }

  u32(v: number): void {
    this.varint(v >>> 0);
  }

  f64(v: number): void {
    this.room(8);
    F64[0] = v;
    this.b.set(F64_BYTES, this.n);
    this.n += 8;
  }

  fixed32(v: number): void {
    this.room(4);
    const b = this.b;
    b[this.n++] = v & 0xff;
    b[this.n++] = (v >>> 8) & 0xff;
    b[this.n++] = (v >>> 16) & 0xff;
    b[this.n++] = (v >>> 24) & 0xff;
  }

  /** an ASCII string field (tag, length, bytes) */
  str(tag: number, s: string): void {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        this.ok = false;
        return;
      }
    }
    this.byte(tag);
    this.varint(s.length);
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.b[this.n++] = s.charCodeAt(i);
  }

  /** Starts a length-delimited field; returns where its content starts (its length is patched by `end`). */
  begin(tag: number): number {
    this.byte(tag);
    // Reserve one byte for the length; `end` moves the content if it needs more.
    this.byte(0);
    return this.n;
  }

  end(start: number): void {
    const len = this.n - start;
    if (len < 0x80) {
      this.b[start - 1] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.room(extra);
    this.b.copyWithin(start + extra, start, this.n);
    let v = len;
    let i = start - 1;
    while (v >= 0x80) {
      this.b[i++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.b[i] = v;
    this.n += extra;
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

// Fields are read at the call sites by name (a keyed read through a helper, `o[k]`, goes megamorphic
// and cost about 2 µs a query-migrate sample); "present" is the generated code's `!= null`.

/** proto3 uint64: written unless absent or 0 */
function u64z(w: Scratch, tag: number, v: unknown): void {
  if (v == null) return;
  if (typeof v !== 'number') {
    w.ok = false;
    return;
  }
  if (v === 0) return;
  w.byte(tag);
  w.u64(v);
}

/** optional uint64: written whenever present */
function u64o(w: Scratch, tag: number, v: unknown): void {
  if (v == null) return;
  if (typeof v !== 'number') {
    w.ok = false;
    return;
  }
  w.byte(tag);
  w.u64(v);
}

/** a proto3 string: written unless absent or empty */
function strz(w: Scratch, tag: number, v: unknown): void {
  if (v == null || v === '') return;
  if (typeof v !== 'string') {
    w.ok = false;
    return;
  }
  w.str(tag, v);
}

function ram(w: Scratch, r: Ram): void {
  u64z(w, 8, r.transferred);
  u64o(w, 16, r.remaining);
  u64z(w, 24, r.total);
  u64z(w, 32, r.duplicate);
  u64z(w, 40, r.normal);
  u64z(w, 48, r.normal_bytes);
  u64o(w, 56, r.dirty_pages_rate);
  const mbps: unknown = r.mbps;
  if (mbps != null) {
    if (typeof mbps !== 'number') w.ok = false;
    else if (!Object.is(mbps, 0)) {
      w.byte(65);
      w.f64(mbps);
    }
  }
  u64z(w, 72, r.dirty_sync_count);
  u64z(w, 80, r.pages_per_second);
  u64z(w, 88, r.page_size);
  u64z(w, 96, r.precopy_bytes);
  u64z(w, 104, r.downtime_bytes);
}

function info(w: Scratch, s: Info): void {
  strz(w, 10, s.status);
  u64o(w, 16, s.total_time);
  u64o(w, 24, s.setup_time);
  u64o(w, 32, s.downtime);
  u64o(w, 40, s.expected_downtime);
  if (s.ram != null) {
    const at = w.begin(50);
    ram(w, s.ram);
    w.end(at);
  }
  const pct: unknown = s.cpu_throttle_percentage;
  if (pct != null) {
    if (typeof pct !== 'number') {
      w.ok = false;
      return;
    }
    w.byte(56);
    w.u32(pct);
  }
}

function model(w: Scratch, m: Model): void {
  const index: unknown = m.index;
  if (index != null && index !== 0) {
    if (typeof index !== 'number') {
      w.ok = false;
      return;
    }
    w.byte(8);
    w.u32(index);
  }
  u64z(w, 16, m.time_ns);
  const st = m.status;
  if (st != null) {
    const at = w.begin(26);
    strz(w, 10, st.from);
    strz(w, 18, st.to);
    strz(w, 26, st.stage);
    w.end(at);
  }
  if (m.stats != null) {
    const at = w.begin(34);
    info(w, m.stats);
    w.end(at);
  }
  const sy = m.sync;
  if (sy != null) {
    const at = w.begin(42);
    u64z(w, 8, sy.dirty_sync_count);
    u64z(w, 16, sy.dirty_pages);
    u64z(w, 24, sy.remaining);
    u64z(w, 32, sy.threshold);
    w.end(at);
  }
  if (m.generic != null) w.ok = false; // JSON of any shape: the generated code
}

function checkpoint(w: Scratch, c: Cp): void {
  u64z(w, 8, c.event_index);
  u64z(w, 16, c.time_ns);
  u64z(w, 24, c.steps);
  u64z(w, 32, c.decisions);
  const h1: unknown = c.hash1;
  const h2: unknown = c.hash2;
  if ((h1 != null && typeof h1 !== 'number') || (h2 != null && typeof h2 !== 'number')) {
    w.ok = false;
    return;
  }
  if (h1 != null && h1 !== 0) {
    w.byte(45);
    w.fixed32(h1 as number);
  }
  if (h2 != null && h2 !== 0) {
    w.byte(53);
    w.fixed32(h2 as number);
  }
}

const scratch = new Scratch();

/**
 * The TracePacket content (no CRC) of a model-event or checkpoint packet, in a scratch buffer valid
 * until the next call; null when the generated code must encode it.
 */
export function fastPacketBody(p: PacketProps): Uint8Array | null {
  const w = scratch;
  w.n = 0;
  w.ok = true;
  const keys = Object.keys(p);
  if (keys.length !== 1) return null;
  if (keys[0] === 'model' && p.model != null) {
    const at = w.begin(50);
    model(w, p.model);
    w.end(at);
  } else if (keys[0] === 'checkpoint' && p.checkpoint != null) {
    const at = w.begin(58);
    checkpoint(w, p.checkpoint);
    w.end(at);
  } else return null;
  return w.ok ? w.b.subarray(0, w.n) : null;
}

export type { ByteWriter };
