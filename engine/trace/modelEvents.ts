// Model events (what the migration model emits through `k.emit`) to and from their trace form:
// status changes, query-migrate samples under QEMU's names, dirty-bitmap syncs; anything else is
// kept as JSON under its kind, never dropped.

import type { migtrace } from './gen/migtrace';
import type { MigrationInfo as QmpInfo, RamInfo } from '../qapi/migrationInfo';

type ModelEventProps = migtrace.trace.ModelEvent.$Properties;

/** A model event as readers see it: its kind and a QEMU-named payload. */
export interface ModelRecord {
  index: number;
  time_ns: number;
  kind: string;
  payload: unknown;
}

function ramToProto(r: RamInfo): migtrace.trace.RamStats.$Properties {
  const p: migtrace.trace.RamStats.$Properties = {
    transferred: r.transferred,
    total: r.total,
    duplicate: r.duplicate,
    normal: r.normal,
    normal_bytes: r['normal-bytes'],
    mbps: r.mbps,
    dirty_sync_count: r['dirty-sync-count'],
    pages_per_second: r['pages-per-second'],
    page_size: r['page-size'],
    precopy_bytes: r['precopy-bytes'],
    downtime_bytes: r['downtime-bytes'],
  };
  if (r.remaining !== undefined) p.remaining = r.remaining;
  if (r['dirty-pages-rate'] !== undefined) p.dirty_pages_rate = r['dirty-pages-rate'];
  return p;
}

function ramFromProto(p: migtrace.trace.RamStats.$Properties): RamInfo {
  const r: RamInfo = {
    transferred: Number(p.transferred ?? 0),
    total: Number(p.total ?? 0),
    duplicate: Number(p.duplicate ?? 0),
    normal: Number(p.normal ?? 0),
    'normal-bytes': Number(p.normal_bytes ?? 0),
    mbps: p.mbps ?? 0,
    'dirty-sync-count': Number(p.dirty_sync_count ?? 0),
    'pages-per-second': Number(p.pages_per_second ?? 0),
    'page-size': Number(p.page_size ?? 0),
    'precopy-bytes': Number(p.precopy_bytes ?? 0),
    'downtime-bytes': Number(p.downtime_bytes ?? 0),
  };
  if (p.remaining !== undefined && p.remaining !== null) r.remaining = Number(p.remaining);
  if (p.dirty_pages_rate !== undefined && p.dirty_pages_rate !== null) r['dirty-pages-rate'] = Number(p.dirty_pages_rate);
  return r;
}

function isStats(v: unknown): v is QmpInfo {
  return typeof v === 'object' && v !== null && typeof (v as { status?: unknown }).status === 'string';
}

export function modelEventPacket(index: number, time_ns: number, kind: string, payload: unknown): ModelEventProps {
  const e: ModelEventProps = { index, time_ns };
  const o = payload as Record<string, unknown>;
  if (kind === 'status' && o && typeof o.from === 'string' && typeof o.to === 'string' && typeof o.stage === 'string') {
    e.status = { from: o.from, to: o.to, stage: o.stage };
  } else if (kind === 'stats' && isStats(payload)) {
    const q = payload;
    const s: migtrace.trace.MigrationInfo.$Properties = { status: q.status };
    if (q['total-time'] !== undefined) s.total_time = q['total-time'];
    if (q['setup-time'] !== undefined) s.setup_time = q['setup-time'];
    if (q.downtime !== undefined) s.downtime = q.downtime;
    if (q['expected-downtime'] !== undefined) s.expected_downtime = q['expected-downtime'];
    if (q['cpu-throttle-percentage'] !== undefined) s.cpu_throttle_percentage = q['cpu-throttle-percentage'];
    if (q.ram !== undefined) s.ram = ramToProto(q.ram);
    e.stats = s;
  } else if (kind === 'sync' && o && typeof o['dirty-sync-count'] === 'number') {
    e.sync = { dirty_sync_count: o['dirty-sync-count'] as number, dirty_pages: o['dirty-pages'] as number, remaining: o.remaining as number, threshold: o.threshold as number };
  } else {
    e.generic = { kind, json: JSON.stringify(payload) ?? 'null' };
  }
  return e;
}

export function modelRecordFromProto(e: migtrace.trace.ModelEvent.$Properties): ModelRecord {
  const index = Number(e.index ?? 0);
  const time_ns = Number(e.time_ns ?? 0);
  if (e.status) return { index, time_ns, kind: 'status', payload: { from: e.status.from ?? '', to: e.status.to ?? '', stage: e.status.stage ?? '' } };
  if (e.stats) {
    const s = e.stats;
    const q: QmpInfo = { status: (s.status ?? 'none') as QmpInfo['status'] };
    if (s.total_time !== undefined && s.total_time !== null) q['total-time'] = Number(s.total_time);
    if (s.setup_time !== undefined && s.setup_time !== null) q['setup-time'] = Number(s.setup_time);
    if (s.downtime !== undefined && s.downtime !== null) q.downtime = Number(s.downtime);
    if (s.expected_downtime !== undefined && s.expected_downtime !== null) q['expected-downtime'] = Number(s.expected_downtime);
    if (s.ram) q.ram = ramFromProto(s.ram);
    if (s.cpu_throttle_percentage !== undefined && s.cpu_throttle_percentage !== null) q['cpu-throttle-percentage'] = s.cpu_throttle_percentage;
    return { index, time_ns, kind: 'stats', payload: q };
  }
  if (e.sync) {
    return { index, time_ns, kind: 'sync', payload: { 'dirty-sync-count': Number(e.sync.dirty_sync_count ?? 0), 'dirty-pages': Number(e.sync.dirty_pages ?? 0), remaining: Number(e.sync.remaining ?? 0), threshold: Number(e.sync.threshold ?? 0) } };
  }
  const g = e.generic;
  let payload: unknown;
  try {
    payload = JSON.parse(g?.json ?? 'null');
  } catch {
    payload = g?.json ?? null;
  }
  return { index, time_ns, kind: g?.kind ?? 'unknown', payload };
}
