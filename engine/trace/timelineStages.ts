// What the timeline draws above the thread lanes, from the model events a walk hands it: the
// migration's stage bands (setup, each iteration between two dirty-bitmap syncs, stop-and-copy,
// and the final status), the counter tracks from the query-migrate samples (remaining,
// transferred, bandwidth, dirty pages rate, throttle), the syncs for the report's iteration chart,
// and the markers (hang, faults, data lost at switchover, a failed or cancelled migration, where a
// damaged or truncated trace stops).

import type { TraceData } from './reader';
import type { ModelRecord } from './modelEvents';
import type { MigrationInfo } from '../qapi/migrationInfo';
import { F64 } from './growable';
import type { TimelineCounter, TimelineMarker, TimelineStage, TimelineSync } from './timelineData';

interface Series extends TimelineCounter {
  get: (q: MigrationInfo) => number | undefined;
  time: F64;
  value: F64;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class StageTracker {
  private readonly stages: TimelineStage[] = [];
  private readonly markers: TimelineMarker[] = [];
  private readonly syncs: TimelineSync[] = [];
  private open: TimelineStage | null = null;
  private syncCount = 0;
  private transferred = 0;
  private doneAt = -1;
  private readonly series: Series[] = ([
    { name: 'remaining', unit: 'bytes', get: (q) => q.ram?.remaining },
    { name: 'transferred', unit: 'bytes', get: (q) => q.ram?.transferred },
    { name: 'bandwidth', unit: 'Mbit/s', get: (q) => q.ram?.mbps },
    { name: 'dirty pages rate', unit: 'pages/s', get: (q) => q.ram?.['dirty-pages-rate'] },
    { name: 'cpu-throttle-percentage', unit: '%', get: (q) => q['cpu-throttle-percentage'] },
  ] as Omit<Series, 'time' | 'value'>[]).map((s) => ({ ...s, time: new F64(), value: new F64() }));

  constructor(private readonly t: TraceData) {}

  private begin(ts: number, kind: string, label: string, iteration?: number): void {
    this.open = { start_ns: ts, end_ns: ts, kind, label, ...(iteration !== undefined ? { iteration } : {}) };
  }

  private close(ts: number): void {
    if (this.open === null) return;
    this.open.end_ns = ts;
    this.stages.push(this.open);
    this.open = null;
  }

  stageBegin(ts: number, stage: string, to: string): void {
    // Two status changes inside one stage (active → device in stop-and-copy) make one band.
    const prev = this.stages[this.stages.length - 1];
    if (prev !== undefined && prev.kind === stage && prev.end_ns === ts && stage !== 'iterative') {
      this.stages.pop();
      this.open = prev;
      return;
    }
    if (stage === 'iterative') this.begin(ts, 'iteration', `iteration ${Math.max(1, this.syncCount)}`, Math.max(1, this.syncCount));
    else this.begin(ts, stage, stage === 'stop-copy' ? 'stop-and-copy' : stage === 'setup' ? 'setup' : `${stage} (${to})`);
  }

  stageEnd(ts: number): void {
    this.close(ts);
  }

  migrationDone(ts: number, to: string): void {
    this.doneAt = ts;
    this.stages.push({ start_ns: ts, end_ns: ts, kind: 'done', label: to });
    if (to === 'failed' || to === 'cancelled') {
      const s = this.t.footer?.summary as { reason?: string } | null | undefined;
      this.markers.push({ time_ns: ts, kind: to, label: `migration ${to}`, detail: s?.reason ?? '' });
    }
  }

  model(ts: number, m: ModelRecord): void {
    const p = m.payload as Record<string, unknown>;
    if (m.kind === 'stats') {
      const q = m.payload as MigrationInfo;
      for (const s of this.series) {
        const v = num(s.get(q));
        if (v === undefined) continue;
        s.time.push(ts);
        s.value.push(v);
      }
      this.transferred = num(q.ram?.transferred) ?? this.transferred;
    } else if (m.kind === 'sync') {
      const count = num(p['dirty-sync-count']) ?? this.syncCount + 1;
      this.syncCount = count;
      this.syncs.push({ sync: count, time_ns: ts, dirty_pages: num(p['dirty-pages']) ?? 0, remaining_bytes: num(p.remaining) ?? 0, transferred_bytes: this.transferred });
      if (this.open !== null && this.open.kind === 'iteration' && ts > this.open.start_ns) {
        this.close(ts);
        this.begin(ts, 'iteration', `iteration ${count}`, count);
      } else if (this.open !== null && this.open.kind === 'iteration') {
        this.open.iteration = count;
        this.open.label = `iteration ${count}`;
      }
    } else if (m.kind === 'fault') {
      this.markers.push({ time_ns: ts, kind: 'fault', label: `fault: ${String(p?.kind ?? 'unknown')}`, detail: JSON.stringify(m.payload) });
    }
  }

  hang(ts: number): void {
    const h = this.t.hang;
    this.markers.push({ time_ns: ts, kind: 'hang', label: `hang: ${h?.kind ?? 'detected'}`, detail: h?.summary ?? '' });
  }

  finish(last: number): { stages: TimelineStage[]; markers: TimelineMarker[]; counters: TimelineCounter[]; syncs: TimelineSync[]; ctr_time: Float64Array; ctr_value: Float64Array; ctr_offset: Uint32Array } {
    if (this.open !== null) this.close(last);
    // no final status: the stage the migration was in when the trace ends never finished (the
    // walker closes it at the last event like any other)
    const lastStage = this.stages[this.stages.length - 1];
    if (this.doneAt < 0 && lastStage !== undefined && lastStage.end_ns === last) lastStage.unfinished = true;
    const s = this.t.footer?.summary as { invariants?: Record<string, unknown>; reason?: string } | null | undefined;
    const lost = num(s?.invariants?.['pages-lost']) ?? 0;
    if (lost > 0) this.markers.push({ time_ns: this.doneAt >= 0 ? this.doneAt : last, kind: 'data-loss', label: `data lost: ${lost} stale page${lost === 1 ? '' : 's'} at switchover`, detail: s?.reason ?? '' });
    if (this.t.stopped !== null) this.markers.push({ time_ns: last, kind: 'truncated', label: 'the trace stops here', detail: this.t.stopped.reason });
    this.markers.sort((a, b) => a.time_ns - b.time_ns);
    const used = this.series.filter((x) => x.time.n > 0);
    const ctr_offset = new Uint32Array(used.length + 1);
    used.forEach((x, i) => (ctr_offset[i + 1] = ctr_offset[i] + x.time.n));
    const total = ctr_offset[used.length];
    const ctr_time = new Float64Array(total);
    const ctr_value = new Float64Array(total);
    used.forEach((x, i) => {
      ctr_time.set(x.time.a.subarray(0, x.time.n), ctr_offset[i]);
      ctr_value.set(x.value.a.subarray(0, x.value.n), ctr_offset[i]);
    });
    return { stages: this.stages, markers: this.markers, counters: used.map((x) => ({ name: x.name, unit: x.unit })), syncs: this.syncs, ctr_time, ctr_value, ctr_offset };
  }
}
