// The messages between the timeline webview and the extension host, and their schema. Both sides
// check every message they receive against it and refuse (and log) one that does not match: a
// webview is untrusted content as far as the host is concerned, and the host's messages carry a
// trace's data into the page.

import type { PackedTimeline } from '../engine/trace/timelineData';

/** Webview → host. */
export type ViewMessage =
  | { type: 'ready' }
  /** start a `trace` debug session of trace `trace` (0 or 1) stopped at its virtual time `time_ns` */
  | { type: 'replayToHere'; trace: number; time_ns: number }
  /** seek the running debug session of trace `trace` to `time_ns` */
  | { type: 'seek'; trace: number; time_ns: number }
  /** something went wrong in the page, for the host's log */
  | { type: 'error'; message: string };

/** Host → webview. */
export type HostMessage =
  | { type: 'load'; data: PackedTimeline }
  /** the file could not be read as a trace at all: the reader's words */
  | { type: 'loadError'; file: string; message: string }
  /** a migtrace debug session of trace `trace` started (active) or ended */
  | { type: 'session'; trace: number; active: boolean; name: string }
  /** the session stopped at `time_ns` of trace `trace` */
  | { type: 'stopped'; trace: number; time_ns: number; reason: string };

type FieldType = 'string' | 'time' | 'index' | 'boolean' | 'object';
const VIEW_FIELDS: Record<ViewMessage['type'], Record<string, FieldType>> = {
  ready: {},
  replayToHere: { trace: 'index', time_ns: 'time' },
  seek: { trace: 'index', time_ns: 'time' },
  error: { message: 'string' },
};
const HOST_FIELDS: Record<HostMessage['type'], Record<string, FieldType>> = {
  load: { data: 'object' },
  loadError: { file: 'string', message: 'string' },
  session: { trace: 'index', active: 'boolean', name: 'string' },
  stopped: { trace: 'index', time_ns: 'time', reason: 'string' },
};

const MAX_STRING = 4096;

function check(m: unknown, schema: Record<string, Record<string, FieldType>>): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not an object';
  const o = m as Record<string, unknown>;
  if (typeof o.type !== 'string' || !Object.prototype.hasOwnProperty.call(schema, o.type)) return `unknown message type ${JSON.stringify(String(o.type)).slice(0, 60)}`;
  const fields = schema[o.type];
  for (const k of Object.keys(o)) if (k !== 'type' && !(k in fields)) return `${o.type}: unexpected field "${k.slice(0, 40)}"`;
  for (const [k, t] of Object.entries(fields)) {
    const v = o[k];
    const ok =
      t === 'string' ? typeof v === 'string' && v.length <= MAX_STRING
        : t === 'time' ? typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
          : t === 'index' ? v === 0 || v === 1
            : t === 'boolean' ? typeof v === 'boolean'
              : typeof v === 'object' && v !== null;
    if (!ok) return `${o.type}: field "${k}" must be ${t === 'time' ? 'a non-negative integer (ns)' : t === 'index' ? '0 or 1' : t === 'string' ? `a string of at most ${MAX_STRING} characters` : `a ${t}`}`;
  }
  return null;
}

/** Why `m` is not a valid webview message, or null if it is. */
export function checkViewMessage(m: unknown): string | null {
  return check(m, VIEW_FIELDS);
}

/** Why `m` is not a valid host message, or null if it is (a `load`'s data is checked when unpacked). */
export function checkHostMessage(m: unknown): string | null {
  return check(m, HOST_FIELDS);
}
