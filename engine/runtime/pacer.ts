// The pace of a long movement (forward, or a scan back) in wall time: between chunks of simulation it lets the
// host's pending messages in (a pause, a cancel, a query), and past half a second it reports
// progress with a message that says where the run is, so a client can show it and cancel it.

import type { ProgressReport } from './debugTarget';
import type { ProgressClock } from './host';

/** Report progress for work that has run this long (wall ms). */
const PROGRESS_AFTER_MS = 500;
/** Let messages in at least this often (wall ms). */
const YIELD_EVERY_MS = 50;

export interface PacerHost {
  clock: ProgressClock;
  /** a new progress id */
  nextId(): string;
  emit(p: ProgressReport): void;
  /** whether a pause was asked for, or progress `id` was cancelled */
  stopWanted(id: string | null): boolean;
}

export class Pacer {
  private readonly started: number;
  private lastYield: number;
  private progress: string | null = null;

  constructor(private readonly h: PacerHost, private readonly text: () => string, private readonly title = 'Running the migration') {
    this.started = h.clock.now_ms();
    this.lastYield = this.started;
  }

  /** After a chunk of work: yields when it is time to; true if the movement must stop (paused, cancelled). */
  async tick(): Promise<boolean> {
    const h = this.h;
    const now = h.clock.now_ms();
    if (now - this.lastYield < YIELD_EVERY_MS) return false;
    this.lastYield = now;
    if (this.progress === null && now - this.started >= PROGRESS_AFTER_MS) {
      this.progress = h.nextId();
      h.emit({ kind: 'start', id: this.progress, title: this.title, message: this.text() });
    } else if (this.progress !== null) {
      h.emit({ kind: 'update', id: this.progress, message: this.text() });
    }
    await h.clock.yield();
    return h.stopWanted(this.progress);
  }

  /** The movement is over: its progress report ends. */
  end(): void {
    if (this.progress !== null) this.h.emit({ kind: 'end', id: this.progress });
    this.progress = null;
  }
}
