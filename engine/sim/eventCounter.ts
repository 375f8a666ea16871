// An observer that only counts events: what `run --json` reports as `events` when no trace is written.
import type { ObjKind, SimObserver } from './observer';
import type { HangReport } from './hangReport';

export class EventCounter implements SimObserver {
  events = 0;
  threadCreated(_t: number, _p: number): void { this.events++; }
  threadState(_t: number): void { this.events++; }
  framePush(_t: number, _f: number): void { this.events++; }
  framePop(_t: number, _f: number): void { this.events++; }
  objectCreated(_k: ObjKind, _i: number): void { this.events++; }
  lockContend(_m: number, _t: number, _o: number): void { this.events++; }
  lockAcquire(_m: number, _t: number, _w: number): void { this.events++; }
  lockRelease(_m: number, _t: number, _h: number, _c: boolean): void { this.events++; }
  condSignal(_c: number, _t: number, _w: number): void { this.events++; }
  semPost(_s: number, _t: number, _w: number): void { this.events++; }
  decision(_i: number, _t: number, _r: readonly number[]): void { this.events++; }
  custom(_k: string, _p: unknown): void { this.events++; }
  hang(_r: HangReport): void { this.events++; }
  finished(): void { this.events++; }
}
