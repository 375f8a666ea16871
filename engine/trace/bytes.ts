// Growable byte buffers with protobuf's varint and fixed32 encodings, for the hand-written hot
// paths of the trace (event columns); everything else goes through the generated code.

export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
  }

  private grow(need: number): void {
    let n = this.buf.length * 2;
    while (n < this.len + need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  reset(): void {
    this.len = 0;
  }

  byte(v: number): void {
    if (this.len + 1 > this.buf.length) this.grow(1);
    this.buf[this.len++] = v;
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(v: number): void {
    if (this.len + 10 > this.buf.length) this.grow(10);
    const b = this.buf;
    let i = this.len;
    if (v < 0x80) {
      b[i] = v;
      this.len = i + 1;
      return;
    }
    if (v < 0x80000000) {
      // 31 bits: shifts are exact
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
    this.len = i;
  }

  fixed32(v: number): void {
    if (this.len + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    b[this.len++] = v & 0xff;
    b[this.len++] = (v >>> 8) & 0xff;
    b[this.len++] = (v >>> 16) & 0xff;
    b[this.len++] = (v >>> 24) & 0xff;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.len + n > this.buf.length) this.grow(n);
    this.buf.set(src.subarray(start, end), this.len);
    this.len += n;
  }

  /** A length-delimited protobuf field: its tag byte, the length, then `src[0, len)`. */
  lenField(tag: number, src: Uint8Array, len: number): void {
    this.byte(tag);
    this.varint(len);
    this.bytes(src, 0, len);
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/** Reads an unsigned varint at `pos` from `b`; returns -1 in `out.next` if it runs past `end` or exceeds 2^53. */
export function readVarint(b: Uint8Array, pos: number, end: number, out: { value: number; next: number }): void {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= end) {
      out.next = -1;
      return;
    }
    const x = b[pos++];
    v += (x & 0x7f) * mul;
    if (x < 0x80) {
      out.value = v;
      out.next = pos;
      return;
    }
    mul *= 0x80;
  }
  out.next = -1; // more than 56 bits: not a value this format writes
}
