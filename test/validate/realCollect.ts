// Collecting the real set (`npm run validate -- --refresh-real [LABEL...]`): each setting's
// repeats run one after another on real QEMUs (engine/qemu), and the setting's fixture is rewritten
// once all its runs are in. Real runs are timing-sensitive: every run records the 1-minute load
// before it and the CPU time other processes took while it ran, and a fixture whose runs shared the
// host with a busy neighbour is marked as collected under load.

import { load1m, newFixture, traceFigures, writeFixture, type RealFixture, type RealRunRecord } from './realFixture';
import { realRun, type RealRun } from './realRuns';
import { repeatsOf, type RealSetting } from './realSet';

/** Other processes took more than this share of one CPU, on average, while the migration ran. */
export const FOREIGN_CPU_SHARE_MAX = 0.25;

function record(r: RealRun, load: number): RealRunRecord {
  const threadCpu: Record<string, number> = {};
  let qemuMs = 0;
  for (const t of r.thread_cpu) {
    const key = `${t.side}:${t.name}`;
    threadCpu[key] = (threadCpu[key] ?? 0) + t.cpu_ms;
    qemuMs += t.cpu_ms;
  }
  return {
    info: r.final,
    'last-active': r.final.ram !== undefined ? null : r.last_stats,
    'destination-running': r.destination_running,
    'guest-passes-per-s': Math.round(r.passes_per_s * 10) / 10,
    'load-1m': load,
    'foreign-cpu-s': Math.round(Math.max(0, r.host_busy_ms - qemuMs)) / 1000,
    'wall-ms': Math.round(r.wall_ms),
    'thread-cpu-ms': threadCpu,
    ...traceFigures(r.trace),
  };
}

/** Span of a run's migration in s (from migrate to its last status change). */
export function migrationSpanS(run: RealRunRecord): number {
  const last = run.states[run.states.length - 1];
  return last === undefined ? 0 : last[0] / 1000;
}

/** Whether other processes took a busy neighbour's share of the host during the run. */
export function ranUnderLoad(run: RealRunRecord): boolean {
  const span = migrationSpanS(run);
  return span > 0 && run['foreign-cpu-s'] / span > FOREIGN_CPU_SHARE_MAX;
}

/**
 * Runs the setting's repeats and writes its fixture. `sessionLoad` is the 1-minute load when the
 * collection began (each run's own figure includes the QEMUs of the run before it).
 */
export async function collectSetting(s: RealSetting, today: string, sessionLoad: number, log: (line: string) => void, repeats?: number, nice = 0): Promise<RealFixture> {
  let f: RealFixture | null = null;
  const n = repeats ?? repeatsOf(s);
  for (let i = 0; i < n; i++) {
    const load = load1m();
    const r = await realRun(s.sets, nice);
    f ??= newFixture(s, r.qemu_version, today);
    const rec = record(r, load);
    f.runs.push(rec);
    const i2 = rec['last-active'] ?? rec.info;
    log(`COLLECT ${s.label} run ${i + 1}/${n}: ${rec.info.status}, total-time ${i2['total-time'] ?? '-'} ms, downtime ${i2.downtime ?? '-'} ms, transferred ${((i2.ram?.transferred ?? 0) / 1e6).toFixed(1)} MB, syncs ${i2.ram?.['dirty-sync-count'] ?? '-'}; load ${load}, others took ${rec['foreign-cpu-s']} CPU-s over ${migrationSpanS(rec).toFixed(1)} s`);
  }
  if (f === null) throw new Error(`${s.label}: no runs`);
  f['load-1m-at-start'] = sessionLoad;
  f.nice = nice;
  // Each run measures what other processes took while it ran; the 1-minute load average lags (it
  // still counts the QEMUs of the setting before), so it is recorded but does not decide.
  f['under-load'] = f.runs.some(ranUnderLoad);
  writeFixture(f);
  return f;
}
