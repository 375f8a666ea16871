// Files a command writes: bytes go to `<path>.partial` as they come, and only a finished file is
// renamed to `<path>`, so nothing half-written ever stands under the final name. The path is
// checked and the partial file created before any work (paths.ts), so a path that cannot be
// written fails before a run, not after it. A trace being recorded (FileSink) keeps its partial
// file after a failure (each write is whole packets, so it is a readable prefix of the run); an
// export or side-by-side file (withOutput) removes its own partial file when it fails.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { TraceSink } from '../trace/sink';
import { createHash, type Hash } from 'node:crypto';
import { checkOutputPath, type PathArg } from './paths';
import { CliError, fsWhy } from './errors';

/** An output being written to `<path>.partial`. */
export class OutputFile {
  readonly partial: string;
  private fd: number;
  bytes = 0;
  /** the file is whole but could not be renamed: the partial file holds all of it, keep it */
  renameFailed = false;

  /** Checks the path (and that it is none of `inputs`) and creates the partial file. */
  constructor(readonly out: PathArg, inputs: readonly PathArg[] = []) {
    checkOutputPath(out, inputs);
    this.partial = `${out.path}.partial`;
    try {
      this.fd = openSync(this.partial, 'w');
    } catch (e) {
      throw new CliError(`${out.what} ${out.path}: cannot create ${this.partial}: ${fsWhy(e as NodeJS.ErrnoException)}`);
    }
  }

  write(b: Uint8Array | string): void {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      this.bytes += off;
      throw new CliError(`${this.out.what} ${this.out.path}: cannot write ${this.partial}: ${fsWhy(e as NodeJS.ErrnoException)}`);
    }
    this.bytes += buf.length;
  }

  /** Flushes the file and renames it to its final name. */
  commit(): void {
    try {
      fsyncSync(this.fd);
    } catch (e) {
      this.close();
      throw new CliError(`${this.out.what} ${this.out.path}: cannot write ${this.partial}: ${fsWhy(e as NodeJS.ErrnoException)}`);
    }
    closeSync(this.fd);
    this.fd = -1;
    try {
      renameSync(this.partial, this.out.path);
    } catch (e) {
      this.renameFailed = true;
      throw new CliError(`${this.out.what} ${this.out.path}: cannot rename ${this.partial} to it: ${fsWhy(e as NodeJS.ErrnoException)}; the whole output is in ${this.partial}`);
    }
  }

  /** Closes and removes the partial file. */
  discard(): void {
    this.close();
    rmSync(this.partial, { force: true });
  }

  /** Closes the partial file and leaves it, if anything was written (else removes it). */
  keep(): void {
    this.close();
    if (this.bytes === 0) rmSync(this.partial, { force: true });
  }

  private close(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // closing after a failed write can fail again (ENOSPC on NFS); the file is given up anyway
      }
      this.fd = -1;
    }
  }
}

/** A trace written to a file as the run goes (see the header). */
export class FileSink implements TraceSink {
  private readonly file: OutputFile;
  private readonly sha: Hash = createHash('sha256');
  finished = false;

  constructor(path: string, what = '--out', inputs: readonly PathArg[] = []) {
    this.file = new OutputFile({ path, what }, inputs);
  }

  get path(): string {
    return this.file.out.path;
  }

  get partial(): string {
    return this.file.partial;
  }

  get bytes(): number {
    return this.file.bytes;
  }

  write(b: Uint8Array): void {
    this.file.write(b);
    this.sha.update(b);
  }

  close(): void {
    this.file.commit();
    this.finished = true;
  }

  /** Leaves the partial file (a readable prefix) after a failure; removes it if nothing was written. */
  abandon(): void {
    this.file.keep();
  }

  sha256(): string {
    return this.sha.digest('hex');
  }
}

/** Writes OUT through OUT.partial, renamed to OUT once complete; a failure removes the partial file. */
export function withOutput(path: string, write: (put: (b: Uint8Array | string) => void) => void, what = '--out', inputs: readonly PathArg[] = []): number {
  return withOpenOutput(new OutputFile({ path, what }, inputs), write);
}

/** As withOutput, for an output opened (and so checked) before the work that produces it. */
export function withOpenOutput(f: OutputFile, write: (put: (b: Uint8Array | string) => void) => void): number {
  try {
    write((b) => f.write(b));
    f.commit();
  } catch (e) {
    if (f.renameFailed) throw e;
    f.discard();
    if (e instanceof CliError) throw new CliError(`${e.message}; nothing was left under ${f.out.path} or ${f.partial}`, e.exit);
    throw e;
  }
  return f.bytes;
}
