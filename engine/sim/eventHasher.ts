// An observer that folds every event (with its virtual time) into a 64-bit hash and counts them:
// two runs produced the same event stream exactly when their hashes and counts match.

import { hashCreate, hashHex, hashNumber, hashString, type Hash64 } from './hash';
import type { Kernel } from './kernel';
import type { ObjKind, SimObserver } from './observer';
import type { HangReport } from './hangReport';

export class EventHasher implements SimObserver {
  readonly h: Hash64 = hashCreate();
  events = 0;

  constructor(private readonly k: Kernel) {}

  private ev(code: number, a: number, b: number, c: number): void {
    const h = this.h;
    hashNumber(h, this.k.s.now_ns);
    hashNumber(h, code);
    hashNumber(h, a + 1);
    hashNumber(h, b + 1);
    hashNumber(h, c + 1);
    this.events++;
  }

  hex(): string {
    return hashHex(this.h);
  }

  threadCreated(tid: number, parent: number): void { this.ev(1, tid, parent, 0); }
  threadState(tid: number): void {
    const th = this.k.s.threads[tid];
    this.ev(2, tid, th.state, th.wait_kind * 65536 + th.wait_id + 1);
  }
  framePush(tid: number, fn: number): void { this.ev(3, tid, fn, 0); }
  framePop(tid: number, fn: number): void { this.ev(4, tid, fn, 0); }
  objectCreated(kind: ObjKind, id: number): void { this.ev(5, kind, id, 0); }
  lockContend(m: number, tid: number, owner: number): void { this.ev(6, m, tid, owner); }
  lockAcquire(m: number, tid: number, wait_ns: number): void { this.ev(7, m, tid, wait_ns); }
  lockRelease(m: number, tid: number, hold_ns: number, contended: boolean): void { this.ev(8, m, tid, hold_ns * 2 + (contended ? 1 : 0)); }
  condSignal(c: number, tid: number, woken: number): void { this.ev(9, c, tid, woken); }
  semPost(s: number, tid: number, woken: number): void { this.ev(10, s, tid, woken); }
  decision(i: number, tid: number, ready: readonly number[]): void { this.ev(11, i, tid, ready.length); }
  custom(kind: string, payload: unknown): void {
    hashString(this.h, kind);
    hashString(this.h, JSON.stringify(payload) ?? '');
    this.ev(12, 0, 0, 0);
  }
  hang(r: HangReport): void {
    hashString(this.h, r.kind);
    this.ev(13, r.chain.length, 0, 0);
  }
  finished(): void { this.ev(14, 0, 0, 0); }
}
