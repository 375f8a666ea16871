// Reading a trace file for the CLI: in 1 MiB chunks through the streaming decoder.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { TraceDecoder, type TraceData } from '../trace/reader';
import { TraceError } from '../trace/format';

export interface TraceFile {
  path: string;
  bytes: Uint8Array;
  trace: TraceData;
}

export function readTraceFile(path: string): TraceFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const all = new Uint8Array(size);
    const dec = new TraceDecoder(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, all, off, Math.min(1 << 20, size - off), off);
      if (n <= 0) break;
      dec.push(all.subarray(off, off + n));
      off += n;
    }
    try {
      return { path, bytes: all.subarray(0, off), trace: dec.finish() };
    } catch (e) {
      if (e instanceof TraceError) throw new TraceError(`${path}: ${e.message}`, e.offset);
      throw e;
    }
  } catch (e) {
    if (e instanceof TraceError && !e.message.startsWith(path)) throw new TraceError(`${path}: ${e.message}`, e.offset);
    throw e;
  } finally {
    closeSync(fd);
  }
}
