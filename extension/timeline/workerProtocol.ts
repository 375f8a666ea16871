// What the extension host asks the timeline worker (worker.ts) and what it answers.

import type { PackedTimeline } from '../../engine/trace/timelineData';

export type WorkerRequest =
  | { id: number; op: 'timeline'; paths: string[] }
  | { id: number; op: 'perfetto'; paths: string[]; out: string }
  | { id: number; op: 'report'; paths: string[]; out: string };

export type WorkerReply =
  | { id: number; ok: true; op: 'timeline'; data: PackedTimeline; ms: number }
  | { id: number; ok: true; op: 'done'; text: string }
  /** `known`: a TraceError (a file that is not a readable trace), shown as is; else a bug, with its stack */
  | { id: number; ok: false; message: string; known: boolean; stack?: string };
