// EventBatch (proto/migtrace.proto) encoded and decoded by hand: it carries nearly all of a trace's
// bytes, and a columnar scan into typed arrays is an order of magnitude faster than decoding
// objects. Tests decode what this writes with the generated code, so it stays true to the schema.

import { ByteWriter, readVarint, varintSize } from './bytes';
import { crc32 } from './crc32';
import { CRC_TAG, EVENT_KIND_MAX, PACKET_TAG, TraceError } from './format';

/** Growable columns of decoded events. */
export class EventColumns {
  count = 0;
  time: Float64Array;
  kind: Uint8Array;
  /** ids (threads, mutexes, functions, model events) and 32-bit hashes */
  a: Uint32Array;
  b: Uint32Array;
  /** durations and other values that may exceed 32 bits */
  c: Float64Array;

  constructor(capacity = 1024) {
    const n = Math.max(16, capacity);
    this.time = new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.a = new Uint32Array(n);
    this.b = new Uint32Array(n);
    this.c = new Float64Array(n);
  }

  ensure(n: number): void {
    if (n <= this.time.length) return;
    let cap = this.time.length;
    while (cap < n) cap *= 2;
    const count = this.count;
    const t = new Float64Array(cap);
    t.set(this.time.subarray(0, count));
    this.time = t;
    const k = new Uint8Array(cap);
    k.set(this.kind.subarray(0, count));
    this.kind = k;
    const a = new Uint32Array(cap);
    a.set(this.a.subarray(0, count));
    this.a = a;
    const b = new Uint32Array(cap);
    b.set(this.b.subarray(0, count));
    this.b = b;
    const c = new Float64Array(cap);
    c.set(this.c.subarray(0, count));
    this.c = c;
  }

  /** Drops events from index `n` on (a batch that turned out damaged). */
  truncate(n: number): void {
    this.count = Math.min(this.count, n);
  }
}

/** Writes the varint of a non-negative safe integer at `pos`; returns the position after it. */
export function putVarint(out: Uint8Array, pos: number, v: number): number {
  if (v < 0x80) {
    out[pos] = v;
    return pos + 1;
  }
  if (v < 0x80000000) {
    while (v >= 0x80) {
      out[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
  } else {
    while (v >= 0x80) {
      out[pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
  }
  out[pos] = v;
  return pos + 1;
}

/** Writes the varint of a 32-bit unsigned integer at `pos`. */
export function putU32(out: Uint8Array, pos: number, v: number): number {
  v >>>= 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos] = v;
  return pos + 1;
}

/**
 * Appends a whole framed TracePacket { events: EventBatch } to `out`, from columns already
 * varint-encoded (kinds are below 128, so their varints are their bytes). Returns the packet's CRC.
 */
export function encodeEventPacket(
  out: ByteWriter, n: number, t0: number, first_index: number,
  dt: Uint8Array, dtLen: number, kind: Uint8Array, a: Uint8Array, aLen: number, b: Uint8Array, bLen: number, c: Uint8Array, cLen: number,
): number {
  const lens = [dtLen, n, aLen, bLen, cLen];
  let msg = 1 + varintSize(t0) + 1 + varintSize(first_index);
  for (const l of lens) msg += 1 + varintSize(l) + l;
  const pkt = 1 + varintSize(msg) + msg; // TracePacket content without the CRC field
  out.byte(PACKET_TAG);
  out.varint(pkt + 5);
  const contentStart = out.len;
  out.byte(0x2a);
  out.varint(msg);
  out.byte(0x08);
  out.varint(t0);
  out.lenField(0x12, dt, dtLen);
  out.lenField(0x1a, kind, n);
  out.lenField(0x22, a, aLen);
  out.lenField(0x2a, b, bLen);
  out.lenField(0x32, c, cLen);
  out.byte(0x38);
  out.varint(first_index);
  const crc = crc32(out.buf, contentStart, out.len);
  out.byte(CRC_TAG);
  out.fixed32(crc);
  return crc;
}

const tmp = { value: 0, next: 0 };

function damaged(what: string, at: number): TraceError {
  return new TraceError(`damaged event batch: ${what}`, at);
}

/**
 * Decodes `n` varints from bytes[pos, end) into dst[at, at + n), optionally as running sums
 * (times from deltas, starting at `base`). Returns the position after the last, or -1 if the
 * column is short or holds a value above `max`.
 */
function unpack(bytes: Uint8Array, pos: number, end: number, dst: Float64Array | Uint32Array, at: number, n: number, running: boolean, base: number, max: number): number {
  let sum = base;
  for (let i = 0; i < n; i++) {
    if (pos >= end) return -1;
    let x = bytes[pos++];
    let v: number;
    if (x < 0x80) {
      v = x;
    } else {
      v = x & 0x7f;
      let mul = 0x80;
      let k = 1;
      for (;;) {
        if (pos >= end || k >= 8) return -1;
        x = bytes[pos++];
        v += (x & 0x7f) * mul;
        if (x < 0x80) break;
        mul *= 0x80;
        k++;
      }
    }
    if (v > max) return -1;
    if (running) {
      sum += v;
      dst[at + i] = sum;
    } else {
      dst[at + i] = v;
    }
  }
  return pos;
}

/**
 * Decodes an EventBatch message in bytes [start, end) and appends its events to `cols`.
 * Returns the batch's first_index. Throws TraceError if the message is malformed.
 */
export function decodeEventBatch(bytes: Uint8Array, start: number, end: number, cols: EventColumns): { first_index: number; count: number } {
  let t0 = 0;
  let first = 0;
  const spans: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]];
  const seen = [false, false, false, false, false];
  let p = start;
  while (p < end) {
    readVarint(bytes, p, end, tmp);
    if (tmp.next < 0) throw damaged('unreadable field tag', p);
    const tag = tmp.value;
    p = tmp.next;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      readVarint(bytes, p, end, tmp);
      if (tmp.next < 0) throw damaged(`unreadable value of field ${field}`, p);
      if (field === 1) t0 = tmp.value;
      else if (field === 7) first = tmp.value;
      p = tmp.next;
    } else if (wire === 2) {
      readVarint(bytes, p, end, tmp);
      if (tmp.next < 0 || tmp.next + tmp.value > end) throw damaged(`field ${field} runs past the packet`, p);
      p = tmp.next;
      if (field >= 2 && field <= 6) {
        spans[field - 2] = [p, p + tmp.value];
        seen[field - 2] = true;
      }
      p += tmp.value;
    } else if (wire === 5) {
      p += 4;
    } else if (wire === 1) {
      p += 8;
    } else {
      throw damaged(`wire type ${wire} of field ${field}`, p);
    }
  }
  if (p !== end) throw damaged('the last field runs past the packet', p);
  if (!seen.every((x) => x)) return { first_index: first, count: 0 };
  // The kind column's bytes are its events (kinds are below 128).
  const [ks, ke] = spans[1];
  const n = ke - ks;
  for (let i = ks; i < ke; i++) {
    const k = bytes[i];
    if (k === 0 || k > EVENT_KIND_MAX) throw damaged(`event kind ${k}`, i);
  }
  const base = cols.count;
  cols.ensure(base + n);
  cols.kind.set(bytes.subarray(ks, ke), base);
  const names = ['dt', 'a', 'b', 'c'];
  const targets = [cols.time, cols.a, cols.b, cols.c];
  const which = [0, 2, 3, 4];
  for (let j = 0; j < 4; j++) {
    const [s0, s1] = spans[which[j]];
    const max = j === 1 || j === 2 ? 0xffffffff : Number.MAX_SAFE_INTEGER;
    const endAt = unpack(bytes, s0, s1, targets[j], base, n, j === 0, t0, max);
    if (endAt < 0) throw damaged(`the ${names[j]} column is shorter than the kind column or holds a value out of range`, s0);
    if (endAt !== s1) throw damaged(`the ${names[j]} column has bytes left over`, endAt);
  }
  cols.count = base + n;
  return { first_index: first, count: n };
}
