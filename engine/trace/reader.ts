// Reading a .migtrace: a push decoder that takes the file in chunks and builds columnar typed arrays
// of events (never an object per event), the descriptors, model events, checkpoints, the hang
// report and the footer. A file that ends inside a packet reads up to its last whole packet and
// says so; a damaged packet (bad checksum, bad structure, events that contradict what came before)
// stops the reading there and says where and why. A file that is not a migtrace trace at all
// (wrong magic, a future format version) is refused outright with a TraceError; one whose header
// packet is damaged or missing is refused with a TraceDamagedError, naming the byte and the cause.

import { migtrace } from './gen/migtrace';
import { readVarint } from './bytes';
import { crc32 } from './crc32';
import { decodeEventBatch, EventColumns } from './eventCodec';
import { CRC_TAG, EK, FORMAT_VERSION, MAGIC, MAX_PACKET_BYTES, PACKET_TAG, TraceError } from './format';
import { chainHash, CHAIN_START } from './packets';
import { modelRecordFromProto, type ModelRecord } from './modelEvents';
import type { HangReport } from '../sim/hangReport';
import { firstNotBelow } from '../sim/bisect';

export interface TraceHeader {
  format_version: number;
  engine_version: string;
  scenario_name: string;
  scenario_json: string;
  seed: number;
  strategy: { name: string; depth: number; steps_max: number };
  profile: string;
  ram_bytes: number;
  vcpus: number;
  source: string;
  qemu_version: string;
  host: string;
  /** a schedule search's explanation of the run (JSON), '' if none */
  explanation: string;
}

export interface TraceThread {
  tid: number;
  name: string;
  parent: number;
  role: string;
}

export interface TraceCheckpoint {
  event_index: number;
  time_ns: number;
  steps: number;
  decisions: number;
  hash1: number;
  hash2: number;
  /** byte offset of the checkpoint packet */
  offset: number;
}

export interface TraceFooter {
  events: number;
  end_ns: number;
  steps: number;
  decisions: number;
  hash1: number;
  hash2: number;
  effect_hash1: number;
  effect_hash2: number;
  status: string;
  summary: unknown;
}

export interface TraceData {
  header: TraceHeader;
  threads: TraceThread[];
  mutexes: string[];
  conds: string[];
  sems: string[];
  functions: string[];
  events: EventColumns;
  model: ModelRecord[];
  checkpoints: TraceCheckpoint[];
  hang: HangReport | null;
  footer: TraceFooter | null;
  /** where reading stopped before the end of a whole trace: truncation or damage */
  stopped: { offset: number; reason: string } | null;
  /** bytes consumed as whole packets (including the magic) */
  bytes: number;
  packets: number;
}

/** Whether the trace was read to its footer, with nothing damaged or missing. */
export function isComplete(t: TraceData): boolean {
  return t.footer !== null && t.stopped === null;
}

/** A migtrace trace too damaged or too short to read anything from (its header is bad or missing). */
export class TraceDamagedError extends TraceError {
  constructor(message: string, offset = -1) {
    super(message, offset);
    this.name = 'TraceDamagedError';
  }
}

const tmp = { value: 0, next: 0 };

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export class TraceDecoder {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** absolute file offset of buf[0] */
  private base = 0;
  private magicOk = false;
  private hash = CHAIN_START;
  private hashedBytes = 0;
  private lastTime = 0;
  /** bytes after the footer, over every chunk pushed (reported once, by finish) */
  private trailingBytes = 0;
  private trailingAt = -1;
  private trailingMagic = true;
  /** every byte pushed, the file's size once finished */
  private pushedBytes = 0;
  private readonly t: Partial<TraceData> & { events: EventColumns; threads: TraceThread[]; mutexes: string[]; conds: string[]; sems: string[]; functions: string[]; model: ModelRecord[]; checkpoints: TraceCheckpoint[] };

  /** @param expectedBytes the file's size, if known: columns are sized for it up front (≈ 6 bytes per event) */
  constructor(expectedBytes = 0) {
    this.t = { threads: [], mutexes: [], conds: [], sems: [], functions: [], events: new EventColumns(Math.ceil(expectedBytes / 6)), model: [], checkpoints: [], hang: null, footer: null, stopped: null, bytes: 0, packets: 0 };
  }

  /** Feeds the next bytes of the file. */
  push(chunk: Uint8Array): void {
    this.pushedBytes += chunk.length;
    if (this.t.stopped !== null) return;
    if (this.t.footer !== null) {
      this.trailing(chunk, 0, chunk.length);
      return;
    }
    if (this.end + chunk.length > this.buf.length) {
      const keep = this.end - this.start;
      const n = new Uint8Array(Math.max(keep + chunk.length, this.buf.length * 2, 64 * 1024));
      n.set(this.buf.subarray(this.start, this.end));
      this.base += this.start;
      this.buf = n;
      this.start = 0;
      this.end = keep;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    this.parse();
  }

  /** The file ended: returns what was read. */
  finish(): TraceData {
    const size = this.pushedBytes;
    if (!this.magicOk) {
      if (size === 0) throw new TraceError('not a migtrace trace: the file is empty', 0);
      throw new TraceError(`not a migtrace trace: the file is ${size} bytes, shorter than the 8-byte magic`, 0);
    }
    if (this.t.header === undefined) {
      const at = MAGIC.length;
      const stopped = this.t.stopped;
      if (stopped !== null && stopped !== undefined) throw new TraceDamagedError(`damaged: its header packet is bad, so nothing can be read: ${stopped.reason.replace(/^damaged: /, '')}`, stopped.offset);
      if (size === at) throw new TraceDamagedError(`incomplete: the file is ${size} bytes, the magic alone; its header packet (from byte ${at}) is missing`, at);
      throw new TraceDamagedError(`incomplete: the file is ${size} bytes and ends inside its header packet (from byte ${at}${this.pendingLength(at)})`, at);
    }
    if (this.t.stopped === null && this.t.footer === null) {
      const left = this.end - this.start;
      const at = this.base + this.start;
      this.stop(at, left > 0 ? `the file (${size} bytes) ends inside the packet at byte ${at}${this.pendingLength(at)}; the run's last events are missing` : `the file (${size} bytes) ends after the packet before byte ${at}, with no footer: the run did not finish writing it (truncated)`);
    }
    if (this.t.stopped === null && this.trailingBytes > 0) {
      const what = this.trailingMagic && this.trailingBytes >= MAGIC.length ? ': they start with a migtrace magic (another trace appended?)' : '';
      this.stop(this.trailingAt, `damaged: ${this.trailingBytes} byte${this.trailingBytes === 1 ? '' : 's'} of trailing data after the footer, from byte ${this.trailingAt} to the end (byte ${size})${what}`);
    }
    return this.t as TraceData;
  }

  /** ", which needs N bytes; M are there" for the incomplete packet starting at file offset `at`. */
  private pendingLength(at: number): string {
    const i = at - this.base;
    if (i < this.start || i >= this.end || this.buf[i] !== PACKET_TAG) return '';
    readVarint(this.buf, i + 1, this.end, tmp);
    const there = this.end - i;
    if (tmp.next < 0) return `; ${there} byte${there === 1 ? '' : 's'} of it ${there === 1 ? 'is' : 'are'} there`;
    return `, which claims ${tmp.next - i + tmp.value} bytes; ${there} ${there === 1 ? 'is' : 'are'} there: the file is cut short, or that packet's length is damaged`;
  }

  /** Counts bytes after the footer (and whether they look like another trace). */
  private trailing(b: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    if (this.trailingAt < 0) this.trailingAt = this.base + this.start;
    for (let i = from; i < to && this.trailingBytes + (i - from) < MAGIC.length; i++) {
      if (b[i] !== MAGIC[this.trailingBytes + (i - from)]) this.trailingMagic = false;
    }
    this.trailingBytes += to - from;
  }

  private stop(offset: number, reason: string): void {
    if (this.t.stopped === null) this.t.stopped = { offset, reason };
  }

  private parse(): void {
    const b = this.buf;
    if (!this.magicOk) {
      if (this.end - this.start < MAGIC.length) return;
      const head = b.subarray(this.start, this.start + MAGIC.length);
      for (let i = 0; i < MAGIC.length; i++) {
        if (head[i] !== MAGIC[i]) throw new TraceError(`not a migtrace trace: it starts with ${hex(head)}, expected ${hex(MAGIC)}`, 0);
      }
      this.hashedBytes = MAGIC.length;
      this.start += MAGIC.length;
      this.magicOk = true;
      this.t.bytes = MAGIC.length;
    }
    while (this.t.stopped === null && this.t.footer === null && this.start < this.end) {
      const at = this.base + this.start;
      if (b[this.start] !== PACKET_TAG) {
        this.stop(at, `damaged: expected a packet (byte 0x0a) at byte ${at}, found 0x${b[this.start].toString(16).padStart(2, '0')}`);
        return;
      }
      readVarint(b, this.start + 1, this.end, tmp);
      if (tmp.next < 0) {
        if (this.end - this.start > 11) this.stop(at, `damaged: unreadable packet length at byte ${at}`);
        return; // wait for more bytes
      }
      const len = tmp.value;
      const p = tmp.next;
      if (len < 5 || len > MAX_PACKET_BYTES) {
        this.stop(at, `damaged: packet at byte ${at} claims ${len} bytes`);
        return;
      }
      if (p + len > this.end) return; // incomplete: wait
      const crcAt = p + len - 5;
      const want = (b[crcAt + 1] | (b[crcAt + 2] << 8) | (b[crcAt + 3] << 16) | (b[crcAt + 4] << 24)) >>> 0;
      if (b[crcAt] !== CRC_TAG) {
        this.stop(at, `damaged: the packet at byte ${at} (${p + len - this.start} bytes) does not end in its CRC-32 field (byte ${this.base + crcAt} is 0x${b[crcAt].toString(16).padStart(2, '0')}, expected 0x${CRC_TAG.toString(16)})`);
        return;
      }
      const got = crc32(b, p, crcAt);
      if (got !== want) {
        this.stop(at, `damaged: the packet at byte ${at} (${p + len - this.start} bytes, to byte ${this.base + p + len}) fails its checksum (CRC-32 stored 0x${want.toString(16).padStart(8, '0')}, computed 0x${got.toString(16).padStart(8, '0')}): some byte in it changed`);
        return;
      }
      const hashBefore = this.hash;
      const bytesBefore = this.hashedBytes;
      try {
        this.apply(b, p, crcAt, at, hashBefore, bytesBefore);
      } catch (e) {
        if (e instanceof TraceError && e.offset === -2) throw e instanceof TraceDamagedError ? new TraceDamagedError(e.message, at) : new TraceError(e.message, at);
        const why = e instanceof Error ? e.message : String(e);
        this.stop(at, `damaged: the packet at byte ${at} does not decode (${why})`);
        return;
      }
      if (this.t.stopped !== null) return;
      this.hash = chainHash(this.hash, want, p + len - this.start);
      this.hashedBytes += p + len - this.start;
      this.start = p + len;
      this.t.bytes = this.base + this.start;
      this.t.packets = (this.t.packets ?? 0) + 1;
    }
    if (this.t.footer !== null && this.t.stopped === null && this.start < this.end) {
      this.trailing(b, this.start, this.end);
      this.start = this.end;
    }
  }

  private apply(b: Uint8Array, p: number, end: number, at: number, hashBefore: number, bytesBefore: number): void {
    const t = this.t;
    if (b[p] === 0x2a && t.header !== undefined) {
      // TracePacket.events: the hand-decoded hot path.
      readVarint(b, p + 1, end, tmp);
      if (tmp.next < 0 || tmp.next + tmp.value !== end) throw new Error('events field length does not match the packet');
      const cols = t.events;
      const before = cols.count;
      const r = decodeEventBatch(b, tmp.next, end, cols);
      if (r.first_index !== before) {
        cols.truncate(before);
        this.stop(at, `damaged: the event batch at byte ${at} starts at event ${r.first_index}, but ${before} events came before it (a packet is missing or out of place)`);
        return;
      }
      const bad = this.checkEvents(before, cols.count);
      if (bad !== null) {
        cols.truncate(before);
        this.stop(at, `damaged: ${bad} in the event batch at byte ${at}`);
      }
      return;
    }
    const pkt = migtrace.trace.TracePacket.decode(b.subarray(p, end));
    if (t.header === undefined) {
      const h = pkt.header;
      if (!h) throw new TraceDamagedError(`damaged: its first packet (at byte ${at}) is not a header`, -2);
      const v = h.format_version ?? 0;
      if (v > FORMAT_VERSION) throw new TraceError(`this trace has format version ${v}, newer than this migtrace reads (${FORMAT_VERSION}); use a newer migtrace`, -2);
      if (v < 1) throw new TraceDamagedError(`damaged: its header (at byte ${at}) has format version ${v}; versions start at 1`, -2);
      t.header = {
        format_version: v,
        engine_version: h.engine_version ?? '',
        scenario_name: h.scenario_name ?? '',
        scenario_json: h.scenario_json ?? '',
        seed: Number(h.seed ?? 0),
        strategy: { name: h.strategy?.name ?? 'random', depth: h.strategy?.depth ?? 0, steps_max: Number(h.strategy?.steps_max ?? 0) },
        profile: h.profile ?? '',
        ram_bytes: Number(h.ram_bytes ?? 0),
        vcpus: h.vcpus ?? 0,
        source: h.source ?? '',
        qemu_version: h.qemu_version ?? '',
        host: h.host ?? '',
        explanation: h.explanation ?? '',
      };
      return;
    }
    if (pkt.header) throw new Error('a second header');
    if (pkt.thread) {
      const tid = pkt.thread.tid ?? 0;
      if (tid !== t.threads.length) throw new Error(`thread ${tid} described out of order (expected ${t.threads.length})`);
      t.threads.push({ tid, name: pkt.thread.name ?? '', parent: (pkt.thread.parent_plus_one ?? 0) - 1, role: pkt.thread.role ?? 'other' });
    } else if (pkt.object) {
      const list = pkt.object.kind === 1 ? t.mutexes : pkt.object.kind === 2 ? t.conds : pkt.object.kind === 3 ? t.sems : null;
      if (list === null) throw new Error(`object of unknown kind ${pkt.object.kind}`);
      if ((pkt.object.id ?? 0) !== list.length) throw new Error(`object ${pkt.object.id} described out of order`);
      list.push(pkt.object.name ?? '');
    } else if (pkt.function) {
      if ((pkt.function.id ?? 0) !== t.functions.length) throw new Error(`function ${pkt.function.id} described out of order`);
      t.functions.push(pkt.function.name ?? '');
    } else if (pkt.model) {
      const rec = modelRecordFromProto(pkt.model);
      if (rec.index !== t.model.length) throw new Error(`model event ${rec.index} out of order (expected ${t.model.length})`);
      t.model.push(rec);
    } else if (pkt.checkpoint) {
      const c = pkt.checkpoint;
      const cp: TraceCheckpoint = { event_index: Number(c.event_index ?? 0), time_ns: Number(c.time_ns ?? 0), steps: Number(c.steps ?? 0), decisions: Number(c.decisions ?? 0), hash1: c.hash1 ?? 0, hash2: c.hash2 ?? 0, offset: at };
      if (cp.hash1 !== hashBefore || cp.hash2 !== bytesBefore >>> 0) {
        this.stop(at, `damaged: the running checksum at checkpoint ${t.checkpoints.length} (byte ${at}) does not match the bytes before it (a packet is missing, repeated or out of place)`);
        return;
      }
      if (cp.event_index !== t.events.count) {
        this.stop(at, `damaged: checkpoint ${t.checkpoints.length} counts ${cp.event_index} events, ${t.events.count} were read`);
        return;
      }
      t.checkpoints.push(cp);
    } else if (pkt.hang) {
      const h = pkt.hang;
      t.hang = {
        kind: (h.kind ?? 'deadlock') as HangReport['kind'],
        time_ns: Number(h.time_ns ?? 0),
        summary: h.summary ?? '',
        cycle: h.cycle ?? false,
        chain: (h.chain ?? []).map((l) => ({ tid: l.tid ?? 0, waits: l.waits ?? '', held_by: (l.held_by ?? []).map(Number), because: l.because ?? '' })),
        threads: (h.threads ?? []).map((x) => ({ tid: x.tid ?? 0, name: x.name ?? '', state: x.state ?? '', waits: x.waits ?? '', since_ns: Number(x.since_ns ?? 0), holding: x.holding ?? [], backtrace: x.backtrace ?? [], involved: x.involved ?? false })),
      };
    } else if (pkt.footer) {
      const f = pkt.footer;
      let summary: unknown;
      try {
        summary = f.summary_json ? JSON.parse(f.summary_json) : null;
      } catch {
        throw new Error('footer summary is not JSON');
      }
      const footer: TraceFooter = { events: Number(f.events ?? 0), end_ns: Number(f.end_ns ?? 0), steps: Number(f.steps ?? 0), decisions: Number(f.decisions ?? 0), hash1: f.hash1 ?? 0, hash2: f.hash2 ?? 0, effect_hash1: f.effect_hash1 ?? 0, effect_hash2: f.effect_hash2 ?? 0, status: f.status ?? '', summary };
      if (footer.events !== t.events.count || footer.hash1 !== hashBefore || footer.hash2 !== bytesBefore >>> 0) {
        this.stop(at, `damaged: the footer at byte ${at} does not match what came before it (${footer.events} events recorded, ${t.events.count} read)`);
        return;
      }
      t.footer = footer;
    } else {
      // An unknown packet kind from a newer engine of the same major version: skipped.
    }
  }

  /** Checks decoded events [from, to) against what the trace declared; returns a problem or null. */
  private checkEvents(from: number, to: number): string | null {
    const c = this.t.events;
    const nThreads = this.t.threads.length;
    const nFns = this.t.functions.length;
    let last = this.lastTime;
    for (let i = from; i < to; i++) {
      const time = c.time[i];
      if (time < last) return `event ${i} goes back in time (${time} ns after ${last} ns)`;
      last = time;
      const k = c.kind[i];
      const a = c.a[i];
      const bb = c.b[i];
      switch (k) {
        case EK.THREAD_STATE:
        case EK.FRAME_PUSH:
        case EK.FRAME_POP:
        case EK.DECISION:
          if (a >= nThreads) return `event ${i} names thread ${a}, but only ${nThreads} are described`;
          if ((k === EK.FRAME_PUSH || k === EK.FRAME_POP) && bb >= nFns) return `event ${i} names function ${bb}, but only ${nFns} are described`;
          break;
        case EK.LOCK_CONTEND:
        case EK.LOCK_ACQUIRE:
        case EK.LOCK_RELEASE:
          if (a >= this.t.mutexes.length || bb >= nThreads) return `event ${i} names mutex ${a} / thread ${bb}, not described`;
          break;
        case EK.MODEL:
          if (a >= this.t.model.length) return `event ${i} refers to model event ${a}, not present`;
          break;
        case EK.QEMU_TRACE:
          if (a >= nThreads || bb >= nFns) return `event ${i} names thread ${a} / trace point ${bb}, not described`;
          if (c.c[i] > this.t.model.length) return `event ${i} refers to model event ${c.c[i] - 1}, not present`;
          break;
        default:
          break;
      }
    }
    this.lastTime = last;
    return null;
  }
}

/** Reads a whole trace held in memory. */
export function readTrace(bytes: Uint8Array): TraceData {
  const d = new TraceDecoder(bytes.length);
  d.push(bytes);
  return d.finish();
}

/** Index of the first event at or after `time_ns` (events are in time order). */
export function eventIndexAt(t: TraceData, time_ns: number): number {
  const time = t.events.time;
  return firstNotBelow(t.events.count, (i) => time[i] < time_ns);
}
