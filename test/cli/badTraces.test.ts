// Every kind of trace damage, through the shipped command, for every command that reads a trace
// (info, replay, export to both formats, run --compare): truncated at many offsets, a bit flipped
// at many offsets, packets repeated, dropped or swapped, trailing data, an empty file, a foreign
// file, a newer or an impossible format version. A migtrace trace that is damaged or incomplete
// exits 7 (export still writes what could be read); a file that is not a migtrace trace at all
// exits 2. Always one line naming the file, the input unchanged, no half-written output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCase, cli, inPool, writeTable, type BadCase } from './cliHarness';
import { encodePacket } from '../../engine/trace/packets';
import { MAGIC } from '../../engine/trace/format';

const root = mkdtempSync(join(tmpdir(), 'migtrace-damage-'));
let good: Buffer;
let pftrace: Buffer;
/** where each packet starts (the first at byte 8) */
const starts: number[] = [];

before(async () => {
  const r = await cli(['run', 'qtest-bootblock', '--seed', '3', '--out', 'good.migtrace', '-q'], root);
  assert.equal(r.status, 0, r.stderr);
  good = readFileSync(join(root, 'good.migtrace'));
  const e = await cli(['export', 'good.migtrace', '--perfetto', 'good.pftrace'], root);
  assert.equal(e.status, 0, e.stderr);
  pftrace = readFileSync(join(root, 'good.pftrace'));
  for (let i = 8; i < good.length;) {
    starts.push(i);
    let len = 0;
    let shift = 0;
    let j = i + 1;
    for (;;) {
      const b = good[j++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    i = j + len;
  }
  assert.ok(starts.length >= 10, `${starts.length} packets`);
});

after(() => {
  writeTable('trace damage');
  rmSync(root, { recursive: true, force: true });
});

/** A deterministic spread of offsets in [lo, hi). */
function spread(lo: number, hi: number, n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return lo + (x % (hi - lo));
  });
}

interface Damaged {
  name: string;
  bytes: Uint8Array;
  /** 7: a damaged or incomplete migtrace trace; 2: not a migtrace trace it can read */
  exit: 2 | 7;
  says: RegExp;
}

function corpus(): Damaged[] {
  const L = good.length;
  const H = starts[1];
  const out: Damaged[] = [];
  const truncs = [...new Set([0, 1, 4, 7, 8, 9, 10, 12, H - 1, H, H + 1, ...starts.slice(2, 12), ...starts.slice(2, 8).map((s) => s + 1), L - 6, L - 5, L - 1, ...spread(H, L, 8, 7)])].sort((a, b) => a - b);
  for (const n of truncs) {
    const says = n === 0 ? /not a migtrace trace: the file is empty/ : n < 8 ? /not a migtrace trace: the file is \d bytes, shorter than the 8-byte magic/ : n === 8 ? /incomplete: the file is 8 bytes, the magic alone/ : n < H ? /incomplete: the file is \d+ bytes and ends inside its header packet \(from byte 8/ : new RegExp(`is incomplete: the file \\(${n} bytes\\) ends (inside the packet at byte \\d+|after the packet before byte ${n}, with no footer)`);
    out.push({ name: `cut-${n}`, bytes: good.subarray(0, n), exit: n < 8 ? 2 : 7, says });
  }
  const flips = [...new Set([0, 3, 7, 8, 9, 10, 12, 40, H - 5, H - 1, H, H + 1, ...starts.slice(2, 10), ...starts.slice(2, 6).map((s) => s + 1), L - 6, L - 5, L - 2, L - 1, ...spread(8, L, 10, 11)])].sort((a, b) => a - b);
  for (const [k, at] of flips.entries()) {
    const b = Uint8Array.from(good);
    b[at] ^= k % 2 === 0 ? 0x01 : 0x80;
    out.push({ name: `flip-${at}`, bytes: b, exit: at < 8 ? 2 : 7, says: at < 8 ? /not a migtrace trace: it starts with/ : at < H ? /(damaged: its header packet is bad, so nothing can be read: .*byte 8|incomplete: the file is \d+ bytes and ends inside its header packet \(from byte 8, which claims \d+ bytes)/ : /is (damaged|incomplete): .*byte \d+/ });
  }
  const p = (i: number) => good.subarray(starts[i], starts[i + 1] ?? L);
  const mid = Math.floor(starts.length / 2);
  out.push(
    { name: 'packet-repeated', bytes: Buffer.concat([good.subarray(0, starts[mid + 1]), p(mid), good.subarray(starts[mid + 1])]), exit: 7, says: /is damaged: / },
    { name: 'packet-dropped', bytes: Buffer.concat([good.subarray(0, starts[mid]), good.subarray(starts[mid + 1])]), exit: 7, says: /is damaged: / },
    { name: 'packets-swapped', bytes: Buffer.concat([good.subarray(0, starts[mid]), p(mid + 1), p(mid), good.subarray(starts[mid + 2])]), exit: 7, says: /is damaged: / },
    { name: 'trailing-1', bytes: Buffer.concat([good, Buffer.from([0])]), exit: 7, says: new RegExp(`is damaged: 1 byte of trailing data after the footer, from byte ${L} to the end \\(byte ${L + 1}\\)`) },
    { name: 'trailing-trace', bytes: Buffer.concat([good, good]), exit: 7, says: new RegExp(`is damaged: ${L} bytes of trailing data .*they start with a migtrace magic`) },
    { name: 'trailing-3MiB', bytes: Buffer.concat([good, Buffer.alloc(3 << 20, 0xff)]), exit: 7, says: new RegExp(`is damaged: ${3 << 20} bytes of trailing data after the footer, from byte ${L} to the end \\(byte ${L + (3 << 20)}\\)`) },
    { name: 'text', bytes: Buffer.from('hello, world\n'), exit: 2, says: /not a migtrace trace: it starts with 68 65 6c 6c 6f 2c 20 77, expected 89 4d 49 47 54 52 43 0a/ },
    { name: 'png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), exit: 2, says: /not a migtrace trace: it starts with 89 50 4e 47/ },
    { name: 'scenario-json', bytes: readFileSync('engine/scenario/builtin/qtest-bootblock.json'), exit: 2, says: /not a migtrace trace/ },
    { name: 'perfetto-export', bytes: pftrace, exit: 2, says: /not a migtrace trace/ },
    { name: 'gzipped', bytes: gzipSync(good), exit: 2, says: /not a migtrace trace: it starts with 1f 8b/ },
    { name: 'short', bytes: Buffer.from('MIG'), exit: 2, says: /shorter than the 8-byte magic/ },
    { name: 'version-2', bytes: Buffer.concat([MAGIC, encodePacket({ header: { format_version: 2, engine_version: '9.0.0', scenario_name: 'x' } }).bytes]), exit: 2, says: /format version 2, newer than this migtrace reads \(1\); use a newer migtrace/ },
    { name: 'version-0', bytes: Buffer.concat([MAGIC, encodePacket({ header: { format_version: 0, scenario_name: 'x' } }).bytes]), exit: 7, says: /damaged: its header \(at byte 8\) has format version 0/ },
    { name: 'no-header', bytes: Buffer.concat([MAGIC, encodePacket({ thread: { tid: 0, name: 'main' } }).bytes]), exit: 7, says: /damaged: its first packet \(at byte 8\) is not a header/ },
  );
  return out;
}

test('every kind of damage, for info, replay, export (both formats) and run --compare', async () => {
  const cases: BadCase[] = [];
  for (const d of corpus()) {
    const f = `${d.name}.migtrace`;
    const files = { [f]: d.bytes };
    const base = { files, exit: d.exit, names: [f], says: d.says };
    cases.push({ ...base, args: ['info', f] });
    cases.push({ ...base, args: ['replay', f] });
    cases.push({ ...base, args: ['run', 'qtest-bootblock', '-q', '--compare', f] });
    for (const [flag, out] of [['--chrome', 'out.json'], ['--perfetto', 'out.pftrace']]) {
      cases.push({
        ...base,
        args: ['export', f, flag, out],
        creates: d.exit === 7 ? [out] : [],
        after: (dir) => {
          if (!existsSync(join(dir, out))) return;
          const b = readFileSync(join(dir, out));
          if (flag === '--chrome') assert.ok(Array.isArray(JSON.parse(b.toString('utf8')).traceEvents), `${f}: ${out} is whole Chrome JSON`);
          else assert.equal(b[0], 0x0a, `${f}: ${out} starts with a Perfetto packet`);
        },
      });
    }
  }
  await inPool(cases, 3, (c, i) => checkCase(root, c, i).then(() => undefined));
  assert.ok(cases.length > 400, `${cases.length} cases`);
});

test('a damaged trace that still has events: info prints them and says INCOMPLETE, export writes them', async () => {
  const cut = good.subarray(0, good.length - 30);
  const c: BadCase = { files: { 'cut.migtrace': cut }, args: ['info', 'cut.migtrace'], exit: 7, names: ['cut.migtrace'], says: /is incomplete/ };
  const r = await checkCase(root, c, 10_000);
  assert.match(r.stdout, /INCOMPLETE: the file \(\d+ bytes\) ends inside the packet at byte \d+/);
  assert.match(r.stdout, /size: +\d+ bytes, \d+ events/);
  const e = await checkCase(root, { files: { 'cut.migtrace': cut }, args: ['export', 'cut.migtrace', '--chrome', 'cut.json'], creates: ['cut.json'], exit: 7, names: ['cut.migtrace'], says: /exporting the \d+ events read before byte \d+/ }, 10_001);
  assert.match(e.stdout, /wrote cut\.json: Chrome trace JSON, \d+ events/);
});
