// A trace written by schedule search (a failing run, a shrunk schedule): to `<path>.partial` as it
// is recorded, renamed to `<path>` only when whole, so an interrupted search never leaves a
// half-written file under a trace's name.

import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { TraceSink } from '../trace/sink';

export class TraceOut implements TraceSink {
  private fd: number;
  private readonly sha = createHash('sha256');
  bytes = 0;
  digest = '';

  constructor(readonly path: string) {
    this.fd = openSync(`${path}.partial`, 'w');
  }

  write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.sha.update(b);
    this.bytes += b.length;
  }

  close(): void {
    closeSync(this.fd);
    this.fd = -1;
    renameSync(`${this.path}.partial`, this.path);
    this.digest = this.sha.digest('hex');
  }

  /** After a failure: nothing is left under either name. */
  abandon(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(`${this.path}.partial`, { force: true });
  }
}
