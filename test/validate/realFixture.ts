// Cached real QEMU migrations (test/fixtures/real-validation/<setting>.json): for each setting of
// the real set, the QEMU version, the host's facts, and every run's query-migrate figures at its
// end plus what its trace says about the host (100 ms bandwidth windows, bitmap syncs, status
// changes) and what was running besides it (the 1-minute load average before the run, and the CPU
// time other processes used while it ran). `npm run validate` reads these; `--refresh-real`
// re-runs QEMU and rewrites them.

import { cpus, release } from 'node:os';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationInfo } from '../../engine/model/stats';
import type { TraceData } from '../../engine/trace/reader';
import { traceEvents } from './realRuns';
import type { Half, RealSetting } from './realSet';

export const FIXTURE_DIR = 'test/fixtures/real-validation';
export const FIXTURE_FORMAT = 1;

export interface RealRunRecord {
  /** query-migrate at the end (QEMU's own names) */
  info: MigrationInfo;
  /** the last query-migrate with RAM figures: for a cancelled migration, the last while it ran (its info has none) */
  'last-active': MigrationInfo | null;
  'destination-running': boolean;
  /** the guest's passes over its 99 MiB per second during the migration */
  'guest-passes-per-s': number;
  /** /proc/loadavg's 1-minute figure just before the run (it includes the QEMUs of the run before) */
  'load-1m': number;
  /** CPU seconds the host's other processes (and this one's QMP polling) used from migrate to the end: /proc/stat's busy time minus the QEMU threads' */
  'foreign-cpu-s': number;
  'wall-ms': number;
  /** CPU time (ms) of each QEMU thread from migrate to the end: "source:CPU 0/TCG" → ms */
  'thread-cpu-ms': Record<string, number>;
  /** migrate_transferred: [ms after migrate, bytes in the window, window length ms] */
  windows: [number, number, number][];
  /** migration_bitmap_sync: [ms after migrate, duration ms, dirty pages found] */
  syncs: [number, number, number][];
  /** migrate_set_state on the source: [ms after migrate, new state] */
  states: [number, string][];
}

export interface RealFixture {
  format: number;
  setting: string;
  scenario: 'qtest-bootblock';
  sets: string[];
  half: Half;
  'qemu-version': string;
  host: { cpus: number; 'cpu-model': string; kernel: string; 'memory-backend': string };
  collected: string;
  /** the nice value both QEMUs ran at (0: as started; negative: ahead of the host's other processes) */
  nice: number;
  /** the 1-minute load when the collection began (before any of its QEMUs ran) */
  'load-1m-at-start': number;
  /** collected with the host busy: other processes took more than a quarter of a CPU during some run (realCollect.ts ranUnderLoad) */
  'under-load': boolean;
  runs: RealRunRecord[];
}

export function fixturePath(label: string): string {
  return join(FIXTURE_DIR, `${label}.json`);
}

export function readFixture(label: string): RealFixture | null {
  const p = fixturePath(label);
  if (!existsSync(p)) return null;
  let f: RealFixture;
  try {
    f = JSON.parse(readFileSync(p, 'utf8')) as RealFixture;
  } catch (e) {
    throw new Error(`${p}: not valid JSON (${(e as Error).message}); re-collect it with npm run validate -- --refresh-real ${label}`, { cause: e });
  }
  if (f.format !== FIXTURE_FORMAT) throw new Error(`${p}: fixture format ${f.format}, expected ${FIXTURE_FORMAT}; re-collect it with --refresh-real ${label}`);
  if (f.setting !== label || !Array.isArray(f.runs)) throw new Error(`${p}: holds setting "${f.setting}" (expected "${label}") or no runs`);
  return f;
}

export function listFixtures(): string[] {
  if (!existsSync(FIXTURE_DIR)) return [];
  return readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort();
}

/** Written whole or not at all. */
export function writeFixture(f: RealFixture): void {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const p = fixturePath(f.setting);
  writeFileSync(`${p}.partial`, `${JSON.stringify(f, null, 1)}\n`);
  renameSync(`${p}.partial`, p);
}

export function newFixture(s: RealSetting, qemuVersion: string, today: string): RealFixture {
  return {
    format: FIXTURE_FORMAT,
    setting: s.label,
    scenario: 'qtest-bootblock',
    sets: s.sets,
    half: s.half,
    'qemu-version': qemuVersion,
    host: { cpus: cpus().length, 'cpu-model': cpus()[0]?.model ?? '?', kernel: release(), 'memory-backend': 'memfd' },
    collected: today,
    nice: 0,
    'load-1m-at-start': NaN,
    'under-load': false,
    runs: [],
  };
}

export function load1m(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}


const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The host facts a real trace holds: bandwidth windows, syncs and status changes, in ms after migrate. */
export function traceFigures(t: TraceData): Pick<RealRunRecord, 'windows' | 'syncs' | 'states'> {
  const states = traceEvents(t, 'migrate_set_state').filter((e) => e.side === 'source');
  const t0 = states.length > 0 ? states[0].time_ns : 0;
  const ms = (ns: number) => r3((ns - t0) / 1e6);
  const windows: [number, number, number][] = [];
  for (const ev of traceEvents(t, 'migrate_transferred')) {
    const m = /transferred (\d+) time_spent (\d+)/.exec(ev.args);
    if (m) windows.push([ms(ev.time_ns), Number(m[1]), Number(m[2])]);
  }
  const starts = traceEvents(t, 'migration_bitmap_sync_start');
  const ends = traceEvents(t, 'migration_bitmap_sync_end');
  const syncs: [number, number, number][] = [];
  for (let i = 0; i < Math.min(starts.length, ends.length); i++) {
    const m = /dirty_pages (\d+)/.exec(ends[i].args);
    syncs.push([ms(starts[i].time_ns), r3((ends[i].time_ns - starts[i].time_ns) / 1e6), m ? Number(m[1]) : -1]);
  }
  const out: [number, string][] = [];
  for (const ev of states) {
    const m = /new state (\S+)/.exec(ev.args);
    if (m) out.push([ms(ev.time_ns), m[1]]);
  }
  return { windows, syncs, states: out };
}
