// CRC-32 (IEEE 802.3, as zlib computes it), slicing-by-16, for the per-packet checksum. Every
// packet is checksummed as it is written and as it is read, so this runs over every byte of a trace
// twice; on a little-endian machine it reads the bytes 32 bits at a time (a 13.5 MB trace in about
// 5 ms on Node 20, against 8 ms byte by byte with slicing-by-8: `node` on .tmp microbenchmarks).

const TABLES = (() => {
  const t = new Int32Array(256 * 16);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** CRC-32 of bytes[start, end); pass a previous result as `prev` to continue it over more bytes. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  const T = TABLES;
  let c = ~prev;
  let i = start;
  // Byte by byte up to a 4-byte boundary of the underlying buffer, then 16 bytes a round.
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) c = T[(c ^ bytes[i++]) & 0xff] ^ (c >>> 8);
  const words = LITTLE_ENDIAN ? ((end - i) >> 4) * 4 : 0;
  if (words > 0) {
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let j = 0; j < words; j += 4) {
      const a = c ^ w[j];
      const b = w[j + 1];
      const d = w[j + 2];
      const e = w[j + 3];
      c =
        T[3840 + (a & 0xff)] ^ T[3584 + ((a >>> 8) & 0xff)] ^ T[3328 + ((a >>> 16) & 0xff)] ^ T[3072 + (a >>> 24)] ^
        T[2816 + (b & 0xff)] ^ T[2560 + ((b >>> 8) & 0xff)] ^ T[2304 + ((b >>> 16) & 0xff)] ^ T[2048 + (b >>> 24)] ^
        T[1792 + (d & 0xff)] ^ T[1536 + ((d >>> 8) & 0xff)] ^ T[1280 + ((d >>> 16) & 0xff)] ^ T[1024 + (d >>> 24)] ^
        T[768 + (e & 0xff)] ^ T[512 + ((e >>> 8) & 0xff)] ^ T[256 + ((e >>> 16) & 0xff)] ^ T[e >>> 24];
    }
    i += words * 4;
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
