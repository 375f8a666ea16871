// Writing a .migtrace, packet by packet: the magic and header, descriptors, events (gathered into
// columnar EventBatch packets of BATCH_EVENTS, varint-encoded as they arrive, each batch followed
// by a Checkpoint carrying the chained hash), model events, the hang report and the footer. The
// sink receives whole packets only, so whatever it holds at any moment is a readable prefix.
// The simulation's recorder (recorder.ts) and the QEMU importer both write through this.

import type { HangReport } from '../sim/hangReport';
import { ByteWriter } from './bytes';
import { encodeEventPacket, putU32, putVarint } from './eventCodec';
import { BATCH_EVENTS, EK, FORMAT_VERSION, MAGIC } from './format';
import { chainHash, CHAIN_START, encodePacket, framePacket, type PacketProps } from './packets';
import { fastPacketBody } from './fastPackets';
import type { TraceSink } from './sink';
import { modelEventPacket } from './modelEvents';
import { ENGINE_VERSION } from '../version';

export interface TraceHeaderInfo {
  scenario_name: string;
  scenario_json: string;
  seed: number;
  strategy: { name: string; depth?: number; steps_max?: number };
  profile: string;
  ram_bytes: number;
  vcpus: number;
  /** "simulation" (default) or "qemu" */
  source?: string;
  /** defaults to this engine's version */
  engine_version?: string;
  qemu_version?: string;
  host?: string;
  /** a schedule search's explanation of the run (JSON), if any */
  explanation?: string;
}

/** What a finished trace says about itself. */
export interface RecordingStats {
  events: number;
  bytes: number;
  packets: number;
  hash1: number;
  hash2: number;
}

/** Where the run stands when a checkpoint or the footer is written. */
export interface RunPosition {
  time_ns: number;
  steps: number;
  decisions: number;
}

export interface FooterInfo extends RunPosition {
  effect_hash1: number;
  effect_hash2: number;
  status: string;
  summary: unknown;
}

export class TraceWriter {
  // The batch being gathered, already varint-encoded column by column: dt, a, b, c in byte
  // arrays of their own; kinds (below 128) are their own varints.
  private readonly dtCol = new Uint8Array(BATCH_EVENTS * 10);
  private readonly kindCol = new Uint8Array(BATCH_EVENTS);
  private readonly aCol = new Uint8Array(BATCH_EVENTS * 5);
  private readonly bCol = new Uint8Array(BATCH_EVENTS * 5);
  private readonly cCol = new Uint8Array(BATCH_EVENTS * 10);
  private dtLen = 0;
  private aLen = 0;
  private bLen = 0;
  private cLen = 0;
  private t0 = 0;
  private lastT = 0;
  private n = 0;
  private events = 0;
  private modelEvents = 0;
  private readonly framed = new ByteWriter(64 * 1024);
  private readonly scratch = new ByteWriter(1024);
  private hash = CHAIN_START;
  private bytesWritten = 0;
  private packets = 0;
  private done = false;

  /**
   * @param position where the run stands, asked when a batch's checkpoint is written
   */
  constructor(private readonly sink: TraceSink, header: TraceHeaderInfo, private readonly position: () => RunPosition) {
    this.bytesWritten = MAGIC.length;
    this.sink.write(MAGIC.slice());
    this.packet({
      header: {
        format_version: FORMAT_VERSION,
        engine_version: header.engine_version ?? ENGINE_VERSION,
        scenario_name: header.scenario_name,
        scenario_json: header.scenario_json,
        seed: header.seed,
        strategy: { name: header.strategy.name, depth: header.strategy.depth ?? 0, steps_max: header.strategy.steps_max ?? 0 },
        profile: header.profile,
        ram_bytes: header.ram_bytes,
        vcpus: header.vcpus,
        source: header.source ?? 'simulation',
        qemu_version: header.qemu_version ?? '',
        host: header.host ?? '',
        explanation: header.explanation ?? '',
      },
    });
  }

  private emit(bytes: Uint8Array, crc: number): void {
    this.hash = chainHash(this.hash, crc, bytes.length);
    this.bytesWritten += bytes.length;
    this.packets++;
    this.sink.write(bytes);
  }

  /** Writes one structured packet now. */
  packet(p: PacketProps): void {
    // Model events and checkpoints (thousands per run) by hand, the same bytes; the rest generated.
    const body = fastPacketBody(p);
    if (body !== null) {
      const out = this.scratch;
      out.reset();
      const crc = framePacket(out, body);
      this.emit(out.view(), crc);
      return;
    }
    const e = encodePacket(p);
    this.emit(e.bytes, e.crc);
  }

  thread(tid: number, name: string, parent: number, role: string): void {
    this.packet({ thread: { tid, name, parent_plus_one: parent + 1, role } });
  }

  object(kind: number, id: number, name: string): void {
    this.packet({ object: { id, kind, name } });
  }

  func(id: number, name: string): void {
    this.packet({ function: { id, name } });
  }

  /** Writes a model event packet now; returns its index (for the MODEL event). */
  model(time_ns: number, kind: string, payload: unknown): number {
    const index = this.modelEvents++;
    this.packet({ model: modelEventPacket(index, time_ns, kind, payload) });
    return index;
  }

  hangReport(r: HangReport): void {
    this.packet({
      hang: {
        kind: r.kind,
        time_ns: r.time_ns,
        summary: r.summary,
        cycle: r.cycle,
        chain: r.chain.map((l) => ({ tid: l.tid, waits: l.waits, held_by: l.held_by, because: l.because })),
        threads: r.threads.map((t) => ({ tid: t.tid, name: t.name, state: t.state, waits: t.waits, since_ns: t.since_ns, holding: t.holding, backtrace: t.backtrace, involved: t.involved })),
      },
    });
  }

  /** Adds one event at `t` (ns, never earlier than the previous event's). */
  event(t: number, kind: number, a: number, b: number, c: number): void {
    const i = this.n;
    if (i === 0) {
      this.t0 = t;
      this.lastT = t;
    }
    // One-byte varints (most values) are written inline; longer ones by the helpers.
    const dt = t - this.lastT;
    this.lastT = t;
    if (dt < 0x80) this.dtCol[this.dtLen++] = dt;
    else this.dtLen = putVarint(this.dtCol, this.dtLen, dt);
    this.kindCol[i] = kind;
    if (a < 0x80) this.aCol[this.aLen++] = a;
    else this.aLen = putU32(this.aCol, this.aLen, a);
    if (b < 0x80) this.bCol[this.bLen++] = b;
    else this.bLen = putU32(this.bCol, this.bLen, b);
    if (c < 0x80) this.cCol[this.cLen++] = c;
    else this.cLen = putVarint(this.cCol, this.cLen, c);
    if (++this.n === BATCH_EVENTS) this.flush();
  }

  /** Writes the pending events as one EventBatch, then a Checkpoint. */
  flush(): void {
    if (this.n === 0) return;
    const first = this.events;
    this.framed.reset();
    const crc = encodeEventPacket(this.framed, this.n, this.t0, first, this.dtCol, this.dtLen, this.kindCol, this.aCol, this.aLen, this.bCol, this.bLen, this.cCol, this.cLen);
    this.events += this.n;
    this.n = 0;
    this.dtLen = this.aLen = this.bLen = this.cLen = 0;
    this.emit(this.framed.view(), crc);
    const pos = this.position();
    this.packet({ checkpoint: { event_index: this.events, time_ns: pos.time_ns, steps: pos.steps, decisions: pos.decisions, hash1: this.hash, hash2: this.bytesWritten >>> 0 } });
  }

  get eventCount(): number {
    return this.events + this.n;
  }

  /** Ends the trace: last events, their checkpoint, the footer; closes the sink. */
  finish(f: FooterInfo): RecordingStats {
    if (this.done) throw new Error('the trace was already finished');
    this.flush();
    const hash = this.hash;
    const before = this.bytesWritten >>> 0;
    this.packet({
      footer: {
        events: this.events,
        end_ns: f.time_ns,
        steps: f.steps,
        decisions: f.decisions,
        hash1: hash,
        hash2: before,
        effect_hash1: f.effect_hash1,
        effect_hash2: f.effect_hash2,
        status: f.status,
        summary_json: JSON.stringify(f.summary),
      },
    });
    this.done = true;
    this.sink.close();
    return { events: this.events, bytes: this.bytesWritten, packets: this.packets, hash1: hash, hash2: before };
  }
}

export { EK };
