// Reading a trace file for the CLI: in 1 MiB chunks through the streaming decoder. A file that is
// missing, unreadable or not a regular file is refused naming the flag or argument that gave it.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { TraceDamagedError, TraceDecoder, type TraceData } from '../trace/reader';
import { TraceError } from '../trace/format';
import { checkInputFile } from './paths';
import { CliError, fsWhy } from './errors';

export interface TraceFile {
  path: string;
  bytes: Uint8Array;
  trace: TraceData;
}

function withPath(path: string, what: string, e: TraceError): TraceError {
  const m = `${what === '<trace>' ? '' : `${what} `}${path}: ${e.message}`;
  return e instanceof TraceDamagedError ? new TraceDamagedError(m, e.offset) : new TraceError(m, e.offset);
}

export function readTraceFile(path: string, what = '<trace>'): TraceFile {
  checkInputFile({ path, what }, 'a .migtrace file');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new CliError(`${what} ${path}: cannot be read: ${fsWhy(e as NodeJS.ErrnoException)}`);
  }
  try {
    const size = fstatSync(fd).size;
    const all = new Uint8Array(size);
    const dec = new TraceDecoder(size);
    let off = 0;
    while (off < size) {
      let n: number;
      try {
        n = readSync(fd, all, off, Math.min(1 << 20, size - off), off);
      } catch (e) {
        throw new CliError(`${what} ${path}: cannot be read at byte ${off}: ${fsWhy(e as NodeJS.ErrnoException)}`);
      }
      if (n <= 0) break;
      dec.push(all.subarray(off, off + n));
      off += n;
    }
    return { path, bytes: all.subarray(0, off), trace: dec.finish() };
  } catch (e) {
    if (e instanceof TraceError) throw withPath(path, what, e);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** "F is damaged: the packet at byte N fails its checksum ..." or "F is incomplete: ..." */
export function whatIsWrong(f: TraceFile): string {
  const reason = f.trace.stopped?.reason ?? 'it has no footer';
  return /^damaged: /.test(reason) ? `${f.path} is damaged: ${reason.replace(/^damaged: /, '')}` : `${f.path} is incomplete: ${reason}`;
}
