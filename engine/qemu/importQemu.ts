// A real migration into a .migtrace: QEMU's trace-event log lines (source and destination), the
// query-migrate samples, and what was seen of the threads (names, states sampled from /proc)
// become one trace, read by the same tools as a simulated one. Trace events go on the thread that
// emitted them: start/end pairs as slices, the rest as instants (unknown events too, never
// dropped); migrate_set_state becomes status changes, migration_bitmap_sync_end a sync, each
// query-migrate sample a stats sample under QEMU's names.

import { EK } from '../trace/format';
import type { TraceSink } from '../trace/sink';
import { TraceWriter, type RecordingStats } from '../trace/writer';
import { TS } from '../sim/types';
import type { MigrationInfo } from '../qapi/migrationInfo';
import type { ParsedLog } from './traceLog';
import type { ParsedSamples } from './qmpSamples';

export interface LogSource {
  side: 'source' | 'destination';
  /** the QEMU's process id, if known (its main thread's id) */
  pid: number;
  log: ParsedLog;
}

export interface ThreadSeen {
  tid: number;
  side: 'source' | 'destination';
  name: string;
}

export interface StateSample {
  time_us: number;
  tid: number;
  /** /proc state letter: R running, S sleeping, D disk/io, T stopped, Z zombie, X dead */
  state: string;
}

export interface QemuImport {
  logs: LogSource[];
  samples: ParsedSamples | null;
  threads?: ThreadSeen[];
  states?: StateSample[];
  scenario_name: string;
  scenario_json: string;
  qemu_version?: string;
  host?: string;
  /** the guest's memory and vCPUs, where known (qemu-run knows them; a log alone does not) */
  ram_bytes?: number;
  vcpus?: number;
  /** extra facts for the footer (the command line, the guest's serial output...) */
  extra?: Record<string, unknown>;
}

/** Trace point pairs shown as slices: start event → [end event, slice name]. */
const SLICES: Record<string, [string, string]> = {
  migration_bitmap_sync_start: ['migration_bitmap_sync_end', 'migration_bitmap_sync'],
  migration_rate_limit_pre: ['migration_rate_limit_post', 'migration_rate_limit'],
  savevm_section_start: ['savevm_section_end', 'savevm_section'],
  // one signal per channel, then one wait per channel, then multifd_send_sync_main (packet num):
  // the slice opens at the first signal and closes there
  multifd_send_sync_main_signal: ['multifd_send_sync_main', 'multifd_send_sync_main'],
};
const SLICE_ENDS = new Map(Object.values(SLICES).map(([end, name]) => [end, name]));

/** Events with a meaning of their own here; every other event is an instant "as is". */
const UNDERSTOOD = new Set(['migrate_set_state', 'migration_bitmap_sync_end', ...Object.keys(SLICES), ...SLICE_ENDS.keys()]);

const STAGE: Record<string, string> = { setup: 'setup', active: 'iterative', 'pre-switchover': 'stop-copy', device: 'stop-copy', completed: 'done', failed: 'done', cancelled: 'done', cancelling: 'iterative' };

function roleOf(name: string, side: 'source' | 'destination'): string {
  if (side === 'destination') return 'destination';
  if (/^CPU \d+\/(TCG|KVM)$/.test(name)) return 'vcpu';
  if (name === 'live_migration' || name === 'mig/src/main' || name === 'migration') return 'migration';
  if (/^multifdsend_\d+$/.test(name) || name.startsWith('mig/src/send')) return 'sender';
  if (name === 'main') return 'main';
  return 'other';
}

const STATE_CODE: Record<string, number> = { R: TS.running, S: TS.sleeping, D: TS.io, T: TS.stopped, t: TS.stopped, Z: TS.exited, X: TS.exited, I: TS.sleeping };

interface Item {
  time_us: number;
  order: number;
  kind: 'trace' | 'sample' | 'state';
  side: 'source' | 'destination';
  tid: number;
  event?: string;
  args?: string;
  info?: MigrationInfo;
  state?: string;
}

export interface ImportReport {
  log_lines: number;
  log_malformed: number;
  log_malformed_examples: { side: string; line: number; text: string }[];
  samples: number;
  samples_malformed: number;
  samples_malformed_examples: { line: number; text: string }[];
  /** trace events kept as plain instants, by name */
  instants_by_event: Record<string, number>;
  threads: number;
}

/** `last_with_stats`: the last query-migrate sample that had RAM figures (a cancelled migration's last one has none). */
export function importQemu(q: QemuImport, sink: TraceSink): { stats: RecordingStats; report: ImportReport; final: MigrationInfo | null; last_with_stats: MigrationInfo | null } {
  const items: Item[] = [];
  let order = 0;
  for (const src of q.logs) for (const l of src.log.lines) items.push({ time_us: l.time_us, order: order++, kind: 'trace', side: src.side, tid: l.tid, event: l.event, args: l.args });
  for (const s of q.samples?.samples ?? []) items.push({ time_us: s.time_us, order: order++, kind: 'sample', side: 'source', tid: -1, info: s.info });
  // Threads: named as seen in /proc, else (below) by what they did.
  const names = new Map<number, ThreadSeen>();
  for (const t of q.threads ?? []) names.set(t.tid, t);
  for (const s of q.states ?? []) items.push({ time_us: s.time_us, order: order++, kind: 'state', side: names.get(s.tid)?.side ?? 'source', tid: s.tid, state: s.state });
  items.sort((a, b) => a.time_us - b.time_us || a.order - b.order);
  const t0 = items.length > 0 ? items[0].time_us : 0;
  const ns = (t_us: number) => Math.max(0, Math.round((t_us - t0) * 1000));

  for (const src of q.logs) {
    for (const l of src.log.lines) {
      if (names.has(l.tid)) continue;
      const name = l.tid === src.pid ? 'main' : l.event === 'migrate_pending' || l.event.startsWith('migration_bitmap_sync') ? 'live_migration' : `thread ${l.tid}`;
      names.set(l.tid, { tid: l.tid, side: src.side, name });
    }
  }

  let now = 0;
  const w = new TraceWriter(
    sink,
    { scenario_name: q.scenario_name, scenario_json: q.scenario_json, seed: 0, strategy: { name: 'real' }, profile: 'qemu', ram_bytes: q.ram_bytes ?? 0, vcpus: q.vcpus ?? 0, source: 'qemu', qemu_version: q.qemu_version, host: q.host },
    () => ({ time_ns: now, steps: 0, decisions: 0 }),
  );
  const fnIds = new Map<string, number>();
  const fn = (name: string): number => {
    let id = fnIds.get(name);
    if (id === undefined) {
      id = fnIds.size;
      fnIds.set(name, id);
      w.func(id, name);
    }
    return id;
  };
  const index = new Map<number, number>();
  const stacks = new Map<number, string[]>();
  const threadIndex = (tid: number, side: 'source' | 'destination'): number => {
    let i = index.get(tid);
    if (i === undefined) {
      i = index.size;
      index.set(tid, i);
      const seen = names.get(tid);
      const raw = seen?.name ?? `thread ${tid}`;
      const name = side === 'destination' ? `dst ${raw}` : raw;
      w.thread(i, name, -1, roleOf(raw, side));
      w.event(now, EK.THREAD_CREATE, i, 0, 0);
    }
    return i;
  };

  const report: ImportReport = {
    log_lines: q.logs.reduce((n, l) => n + l.log.total, 0),
    log_malformed: q.logs.reduce((n, l) => n + l.log.malformed, 0),
    log_malformed_examples: q.logs.flatMap((l) => l.log.malformed_examples.map((m) => ({ side: l.side, ...m }))).slice(0, 5),
    samples: q.samples?.samples.length ?? 0,
    samples_malformed: q.samples?.malformed ?? 0,
    samples_malformed_examples: q.samples?.malformed_examples ?? [],
    instants_by_event: {},
    threads: 0,
  };

  let status = 'none';
  let syncs = 0;
  let lastRemaining = 0;
  let final: MigrationInfo | null = null;
  // A cancelled or failed migration's last sample has no stats: the summary keeps the last ones.
  let lastWithStats: MigrationInfo | null = null;
  let sawStateLine = false;
  for (const it of items) {
    now = Math.max(now, ns(it.time_us));
    if (it.kind === 'sample') {
      const info = it.info!;
      final = info;
      if (info.ram !== undefined) lastWithStats = info;
      lastRemaining = info.ram?.remaining ?? lastRemaining;
      if (!sawStateLine && info.status !== status) {
        w.event(now, EK.MODEL, w.model(now, 'status', { from: status, to: info.status, stage: STAGE[info.status] ?? info.status }), 0, 0);
        status = info.status;
      }
      w.event(now, EK.MODEL, w.model(now, 'stats', info), 0, 0);
      continue;
    }
    const ti = threadIndex(it.tid, it.side);
    if (it.kind === 'state') {
      const code = STATE_CODE[it.state!] ?? TS.runnable;
      w.event(now, EK.THREAD_STATE, ti, code, 0);
      continue;
    }
    const ev = it.event!;
    const args = it.args ?? '';
    if (ev === 'migrate_set_state' && it.side === 'source') {
      const m = /new state (\S+)/.exec(args);
      if (m) {
        sawStateLine = true;
        w.event(now, EK.MODEL, w.model(now, 'status', { from: status, to: m[1], stage: STAGE[m[1]] ?? m[1] }), 0, 0);
        status = m[1];
      }
    }
    const stack = stacks.get(it.tid) ?? [];
    stacks.set(it.tid, stack);
    if (SLICES[ev] !== undefined && stack[stack.length - 1] !== SLICES[ev][1]) {
      const name = SLICES[ev][1];
      stack.push(name);
      w.event(now, EK.FRAME_PUSH, ti, fn(name), 0);
    } else if (SLICE_ENDS.has(ev) && stack[stack.length - 1] === SLICE_ENDS.get(ev)) {
      w.event(now, EK.FRAME_POP, ti, fn(stack.pop()!), 0);
    }
    if (ev === 'migration_bitmap_sync_end') {
      const m = /dirty_pages (\d+)/.exec(args);
      syncs++;
      w.event(now, EK.MODEL, w.model(now, 'sync', { 'dirty-sync-count': syncs, 'dirty-pages': m ? Number(m[1]) : 0, remaining: lastRemaining, threshold: 0 }), 0, 0);
    }
    if (!UNDERSTOOD.has(ev)) report.instants_by_event[ev] = (report.instants_by_event[ev] ?? 0) + 1;
    // Every trace event is also kept as an instant on its thread, with its arguments.
    const argsRef = args === '' ? 0 : w.model(now, 'qemu-trace', { event: ev, args, side: it.side }) + 1;
    w.event(now, EK.QEMU_TRACE, ti, fn(ev), argsRef);
  }
  report.threads = index.size;
  const outcome = final === null ? 'unknown' : final.status === 'completed' ? 'completed' : final.status === 'failed' ? 'failed' : 'not-converged';
  const summary = { ...(lastWithStats ?? {}), ...(final ?? { status }), outcome, reason: final?.status ?? status, source: 'qemu', import: report, ...(q.extra ?? {}) };
  const stats = w.finish({ time_ns: now, steps: 0, decisions: 0, effect_hash1: 0, effect_hash2: 0, status: final?.status ?? status, summary });
  return { stats, report, final, last_with_stats: lastWithStats };
}
