// What the debuggable run needs from where it runs, injected so that the same runtime works in the
// extension host, a standalone adapter process, a worker and the tests (vscode-mock-debug's
// FileAccessor, plus a clock): engine/runtime itself touches no file and reads no clock.

import type { TraceSink } from '../trace/sink';

export interface FileAccess {
  /** the whole file; rejects with an Error whose message names the path and what went wrong */
  readFile(path: string): Promise<Uint8Array>;
  /** a sink that writes `path` as a whole trace only once it is closed (no half-written file under that name) */
  createTraceSink(path: string): TraceSink;
  /** names in a folder, with `/` appended to sub-folders; [] if it cannot be read */
  listDir(path: string): Promise<string[]>;
  /** path joining of the host (`/` or `\`) */
  join(...parts: string[]): string;
}

/** Wall time, only to pace progress reports and to let requests in during a long run. */
export interface ProgressClock {
  now_ms(): number;
  /** lets the host handle pending messages (a pause, a cancel) before the run goes on */
  yield(): Promise<void>;
}
