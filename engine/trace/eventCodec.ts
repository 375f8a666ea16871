// EventBatch (proto/migtrace.proto) encoded and decoded by hand: it carries nearly all of a trace's
// bytes, and a columnar scan into typed arrays is an order of magnitude faster than decoding
// objects. Tests decode what this writes with the generated code, so it stays true to the schema.

import { ByteWriter, readVarint, varintSize } from './bytes';
import { crc32 } from './crc32';
import { CRC_TAG, EVENT_KIND_MAX, PACKET_TAG, TraceError } from './format';

/** Growable columns of decoded events. */
export class EventColumns {
  count = 0;
  time = new Float64Array(1024);
  kind = new Uint8Array(1024);
  a = new Float64Array(1024);
  b = new Float64Array(1024);
  c = new Float64Array(1024);

  ensure(n: number): void {
    if (n <= this.time.length) return;
    let cap = this.time.length;
    while (cap < n) cap *= 2;
    const grow = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const x = make(cap);
      x.set(old.subarray(0, this.count) as never);
      return x;
    };
    this.time = grow(this.time, (k) => new Float64Array(k));
    this.kind = grow(this.kind, (k) => new Uint8Array(k));
    this.a = grow(this.a, (k) => new Float64Array(k));
    this.b = grow(this.b, (k) => new Float64Array(k));
    this.c = grow(this.c, (k) => new Float64Array(k));
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
  out.byte(0x12);
  out.varint(dtLen);
  out.bytes(dt, 0, dtLen);
  out.byte(0x1a);
  out.varint(n);
  out.bytes(kind, 0, n);
  out.byte(0x22);
  out.varint(aLen);
  out.bytes(a, 0, aLen);
  out.byte(0x2a);
  out.varint(bLen);
  out.bytes(b, 0, bLen);
  out.byte(0x32);
  out.varint(cLen);
  out.bytes(c, 0, cLen);
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
  // Count events from the kind column (one byte each while kinds stay below 128).
  const [ks, ke] = spans[1];
  let n = 0;
  for (let i = ks; i < ke; i++) if (bytes[i] < 0x80) n++;
  const base = cols.count;
  cols.ensure(base + n);
  const cursors = spans.map((s) => s[0]);
  let t = t0;
  for (let i = 0; i < n; i++) {
    const at = base + i;
    readVarint(bytes, cursors[0], spans[0][1], tmp);
    if (tmp.next < 0) throw damaged('the dt column is shorter than the kind column', cursors[0]);
    t += tmp.value;
    cursors[0] = tmp.next;
    cols.time[at] = t;
    readVarint(bytes, cursors[1], spans[1][1], tmp);
    if (tmp.next < 0 || tmp.value === 0 || tmp.value > EVENT_KIND_MAX) throw damaged(`event kind ${tmp.value}`, cursors[1]);
    cursors[1] = tmp.next;
    cols.kind[at] = tmp.value;
    readVarint(bytes, cursors[2], spans[2][1], tmp);
    if (tmp.next < 0) throw damaged('the a column is shorter than the kind column', cursors[2]);
    cursors[2] = tmp.next;
    cols.a[at] = tmp.value;
    readVarint(bytes, cursors[3], spans[3][1], tmp);
    if (tmp.next < 0) throw damaged('the b column is shorter than the kind column', cursors[3]);
    cursors[3] = tmp.next;
    cols.b[at] = tmp.value;
    readVarint(bytes, cursors[4], spans[4][1], tmp);
    if (tmp.next < 0) throw damaged('the c column is shorter than the kind column', cursors[4]);
    cursors[4] = tmp.next;
    cols.c[at] = tmp.value;
  }
  for (let f = 0; f < 5; f++) if (cursors[f] !== spans[f][1]) throw damaged(`column ${f + 2} has bytes left over`, cursors[f]);
  cols.count = base + n;
  return { first_index: first, count: n };
}
