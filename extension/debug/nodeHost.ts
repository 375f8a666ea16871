// The runtime's host seams on Node (the extension host and the standalone adapter): files through
// fs, recordings through the CLI's FileSink (written as F.partial, renamed when whole), wall time
// only to pace progress and to let requests in.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSink } from '../../engine/cli/fileSink';
import type { FileAccess, ProgressClock } from '../../engine/runtime/host';

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

export const nodeFiles: FileAccess = {
  async readFile(path) {
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      throw new Error(`${path}: ${why(e)}`, { cause: e });
    }
  },
  createTraceSink(path) {
    try {
      return new FileSink(path);
    } catch (e) {
      throw new Error(`cannot write the recording ${path}: ${why(e)}`, { cause: e });
    }
  },
  async listDir(path) {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
    } catch {
      return [];
    }
  },
  join: (...parts) => join(...parts),
};

export const nodeClock: ProgressClock = {
  now_ms: () => Date.now(),
  yield: () => new Promise<void>((resolve) => setImmediate(resolve)),
};
