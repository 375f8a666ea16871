// The extension host's end of the timeline worker: one worker thread, started on first use,
// requests answered by id. If the worker dies, pending requests fail with the reason and the next
// request starts a new one.

import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve: (r: WorkerReply) => void };
type Body = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export class TimelineWorker {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly distDir: string) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(join(this.distDir, 'timelineWorker.js'));
    w.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      // an idle worker does not keep the process alive; a busy one does, until it answers
      if (this.pending.size === 0) w.unref();
      p?.resolve(r);
    });
    const fail = (why: string) => {
      this.worker = null;
      for (const [id, p] of this.pending) p.resolve({ id, ok: false, message: `the timeline worker stopped: ${why}`, known: false });
      this.pending.clear();
    };
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`exit code ${code}`));
    w.unref();
    this.worker = w;
    return w;
  }

  request(body: Body): Promise<WorkerReply> {
    const id = this.next++;
    const w = this.start();
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      w.ref();
      w.postMessage({ ...body, id });
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
