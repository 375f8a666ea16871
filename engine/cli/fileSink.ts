// A trace file being written: bytes go to `<path>.partial` as they come (each write is whole
// packets, so the partial file is always a readable prefix), and only a finished trace is renamed
// to `<path>`. A run that crashes or is interrupted leaves `<path>.partial`, never a half-written
// file under the final name.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { TraceSink } from '../trace/sink';
import { createHash, type Hash } from 'node:crypto';

export class FileSink implements TraceSink {
  readonly partial: string;
  private fd: number;
  private readonly sha: Hash = createHash('sha256');
  bytes = 0;
  finished = false;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    this.fd = openSync(this.partial, 'w');
  }

  write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.sha.update(b);
    this.bytes += b.length;
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.partial, this.path);
    this.finished = true;
  }

  /** Leaves the partial file (a readable prefix) after a failure; removes it if nothing was written. */
  abandon(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
      if (this.bytes === 0) rmSync(this.partial, { force: true });
    }
  }

  sha256(): string {
    return this.sha.digest('hex');
  }
}

/** Writes to OUT.partial, renamed to OUT once complete. */
export function withOutput(path: string, write: (put: (b: Uint8Array | string) => void) => void): number {
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let bytes = 0;
  try {
    write((b) => {
      const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      bytes += buf.length;
    });
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return bytes;
}
