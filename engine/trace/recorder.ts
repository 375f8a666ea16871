// The trace recorder: a simulation observer that writes a .migtrace as the run goes. Events are
// gathered into columns and written as one EventBatch packet per BATCH_EVENTS events, followed by
// a Checkpoint with the running hash; descriptors, model events and the hang report are written
// when they happen. Memory stays bounded (one batch), and the sink receives whole packets only, so
// whatever it holds at any moment is a readable trace prefix.

import type { Kernel } from '../sim/kernel';
import type { ObjKind, SimObserver } from '../sim/observer';
import type { HangReport } from '../sim/hangReport';
import { ByteWriter } from './bytes';
import { encodeEventPacket, putU32, putVarint } from './eventCodec';
import { BATCH_EVENTS, EK, FORMAT_VERSION, MAGIC } from './format';
import { chainHash, CHAIN_START, encodePacket } from './packets';
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
}

/** What a finished recording says about itself. */
export interface RecordingStats {
  events: number;
  bytes: number;
  packets: number;
  hash1: number;
  hash2: number;
}

export class TraceRecorder implements SimObserver {
  // The batch being gathered, already varint-encoded column by column (one pass per event, no
  // second pass at flush): dt, a, b, c in their own byte arrays; kinds are single bytes.
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
  /** the chain of packet CRCs and the byte count: the checkpoints' hash */
  private hash = CHAIN_START;
  private bytesWritten = 0;
  private packets = 0;
  private done = false;

  constructor(
    private readonly k: Kernel,
    header: TraceHeaderInfo,
    private readonly sink: TraceSink,
    private readonly roleOf: (name: string) => string = () => 'other',
  ) {
    this.bytesWritten = MAGIC.length;
    this.sink.write(MAGIC.slice());
    this.emitPacket({
      header: {
        format_version: FORMAT_VERSION,
        engine_version: ENGINE_VERSION,
        scenario_name: header.scenario_name,
        scenario_json: header.scenario_json,
        seed: header.seed,
        strategy: { name: header.strategy.name, depth: header.strategy.depth ?? 0, steps_max: header.strategy.steps_max ?? 0 },
        profile: header.profile,
        ram_bytes: header.ram_bytes,
        vcpus: header.vcpus,
        source: 'simulation',
      },
    });
    k.program.fns.forEach((f) => this.emitPacket({ function: { id: f.id, name: f.name } }));
  }

  private emitBytes(bytes: Uint8Array, crc: number): void {
    this.hash = chainHash(this.hash, crc, bytes.length);
    this.bytesWritten += bytes.length;
    this.packets++;
    this.sink.write(bytes);
  }

  private emitPacket(p: Parameters<typeof encodePacket>[0]): void {
    const e = encodePacket(p);
    this.emitBytes(e.bytes, e.crc);
  }

  private ev(kind: number, a: number, b: number, c: number): void {
    const t = this.k.s.now_ns;
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
    this.emitBytes(this.framed.view(), crc);
    const s = this.k.s;
    this.emitPacket({ checkpoint: { event_index: this.events, time_ns: s.now_ns, steps: s.steps, decisions: s.decisions, hash1: this.hash, hash2: this.bytesWritten >>> 0 } });
  }

  threadCreated(tid: number, parent: number): void {
    const name = this.k.s.threads[tid].name;
    this.emitPacket({ thread: { tid, name, parent_plus_one: parent + 1, role: this.roleOf(name) } });
    this.ev(EK.THREAD_CREATE, tid, parent + 1, 0);
  }

  threadState(tid: number): void {
    const th = this.k.s.threads[tid];
    this.ev(EK.THREAD_STATE, tid, th.state + 8 * th.wait_kind, th.wait_id + 1);
  }

  framePush(tid: number, fn: number): void {
    this.ev(EK.FRAME_PUSH, tid, fn, 0);
  }

  framePop(tid: number, fn: number): void {
    this.ev(EK.FRAME_POP, tid, fn, 0);
  }

  objectCreated(kind: ObjKind, id: number): void {
    const s = this.k.s;
    const name = kind === 1 ? s.mutexes[id].name : kind === 2 ? s.conds[id].name : s.sems[id].name;
    this.emitPacket({ object: { id, kind, name } });
    this.ev(EK.OBJECT_CREATE, kind, id, 0);
  }

  lockContend(m: number, tid: number, owner: number): void {
    this.ev(EK.LOCK_CONTEND, m, tid, owner + 1);
  }

  lockAcquire(m: number, tid: number, wait_ns: number): void {
    this.ev(EK.LOCK_ACQUIRE, m, tid, wait_ns);
  }

  lockRelease(m: number, tid: number, hold_ns: number, contended: boolean): void {
    this.ev(EK.LOCK_RELEASE, m, tid, hold_ns * 2 + (contended ? 1 : 0));
  }

  condSignal(c: number, tid: number, woken: number): void {
    this.ev(EK.COND_SIGNAL, c, tid, woken);
  }

  semPost(s: number, tid: number, woken: number): void {
    this.ev(EK.SEM_POST, s, tid, woken);
  }

  decision(_i: number, tid: number, ready: readonly number[]): void {
    this.ev(EK.DECISION, tid, ready.length, this.k.s.effect_hash.h1);
  }

  custom(kind: string, payload: unknown): void {
    const index = this.modelEvents++;
    this.emitPacket({ model: modelEventPacket(index, this.k.s.now_ns, kind, payload) });
    this.ev(EK.MODEL, index, 0, 0);
  }

  hang(r: HangReport): void {
    this.ev(EK.HANG, 0, 0, 0);
    this.emitPacket({
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

  finished(): void {
    this.ev(EK.FINISHED, 0, 0, 0);
  }

  /** Ends the trace: last events, checkpoint, footer with the run's summary; closes the sink. */
  finish(summary: unknown): RecordingStats {
    if (this.done) throw new Error('the trace was already finished');
    this.flush();
    const s = this.k.s;
    const eventsHash = this.hash;
    const bytesBeforeFooter = this.bytesWritten;
    this.emitPacket({
      footer: {
        events: this.events,
        end_ns: s.now_ns,
        steps: s.steps,
        decisions: s.decisions,
        hash1: eventsHash,
        hash2: bytesBeforeFooter >>> 0,
        effect_hash1: s.effect_hash.h1,
        effect_hash2: s.effect_hash.h2,
        status: s.status,
        summary_json: JSON.stringify(summary),
      },
    });
    this.done = true;
    this.sink.close();
    return { events: this.events, bytes: this.bytesWritten, packets: this.packets, hash1: eventsHash, hash2: bytesBeforeFooter >>> 0 };
  }
}
