// Where schedule-search runs execute: a pool of worker threads (one run per worker at a time, J
// workers, J defaulting to the core count), or the calling thread itself (tests, one job). Both
// take the same plain-data jobs and give the same records; which worker ran a job never matters,
// because a run is a function of its job alone.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TargetSpec } from './target';
import { executeJob, type RunJob, type RunRecord } from './execute';

export interface RunService {
  readonly jobs: number;
  run(job: RunJob): Promise<RunRecord>;
  /** jobs queued and not started fail with CancelledError; jobs running finish */
  cancel(): void;
  /** ends every worker now (jobs running fail with CancelledError) */
  close(): Promise<void>;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Runs jobs one at a time in this thread, letting the event loop turn between them. */
export class InlineService implements RunService {
  readonly jobs = 1;
  private cancelled = false;
  constructor(private readonly spec: TargetSpec) {}
  async run(job: RunJob): Promise<RunRecord> {
    await new Promise<void>((r) => setImmediate(r));
    if (this.cancelled) throw new CancelledError();
    return executeJob(this.spec, job);
  }
  cancel(): void {
    this.cancelled = true;
  }
  async close(): Promise<void> {
    this.cancelled = true;
  }
}

/** dist/exploreWorker.js next to the running bundle (dist/cli.js, dist/extension.js), else under the working directory. */
export function defaultWorkerScript(): string {
  const here = join(__dirname, 'exploreWorker.js');
  if (existsSync(here)) return here;
  return join(process.cwd(), 'dist', 'exploreWorker.js');
}

interface Pending {
  job: RunJob;
  resolve(r: RunRecord): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class WorkerPool implements RunService {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  private readonly script: string;

  constructor(private readonly spec: TargetSpec, readonly jobs: number, script = defaultWorkerScript()) {
    this.script = resolve(script);
    if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be a positive integer, got ${jobs}`);
    if (!existsSync(script)) throw new Error(`the schedule-search worker ${script} is missing: run \`npm run build\``);
  }

  run(job: RunJob): Promise<RunRecord> {
    if (this.closed) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, { workerData: { spec: this.spec } });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (m: { record?: RunRecord; error?: string }) => {
      const p = slot.busy;
      slot.busy = null;
      if (p !== null) {
        if (m.record !== undefined) p.resolve(m.record);
        else p.reject(new Error(m.error ?? 'the worker failed'));
      }
      this.pump();
    });
    worker.on('error', (e) => {
      const p = slot.busy;
      slot.busy = null;
      this.slots.splice(this.slots.indexOf(slot), 1);
      p?.reject(e);
      this.pump();
    });
    worker.on('exit', () => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const p = slot.busy;
      slot.busy = null;
      p?.reject(new CancelledError());
    });
    // An idle worker does not keep the process alive.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => s.busy === null);
      if (slot === undefined) {
        if (this.slots.length >= this.jobs) return;
        slot = this.spawn();
      }
      const p = this.queue.shift() as Pending;
      slot.busy = p;
      slot.worker.ref();
      slot.worker.postMessage({ job: p.job });
    }
    for (const s of this.slots) if (s.busy === null) s.worker.unref();
  }

  cancel(): void {
    for (const p of this.queue.splice(0)) p.reject(new CancelledError());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    await Promise.all(this.slots.slice().map((s) => s.worker.terminate()));
  }
}
