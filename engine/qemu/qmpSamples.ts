// query-migrate samples, in one of three shapes:
//  - migtrace's JSON lines (qemu-run writes them): {"wall-us": <µs since the epoch>, "return": <MigrationInfo>};
//  - guestperf's Progress records (QEMU's tests/migration/guestperf, progress.py), one per line:
//    {"status", "now" (time.time(): seconds since the epoch), "duration" (total-time, ms),
//    "downtime", "downtime_expected", "setup_time", "throttle_pcent", "ram": {"transferred_bytes",
//    "remaining_bytes", "total_bytes", "duplicate_pages", "skipped_pages", "normal_pages",
//    "normal_bytes", "dirty_rate_pps", "transfer_rate_mbs", "iterations"}};
//  - a whole guestperf report (report.py), whose "progress_history" holds those records.
// All become query-migrate's MigrationInfo (QEMU's names). Malformed lines are counted.

import type { MigrationInfo, RamInfo } from '../qapi/migrationInfo';
import type { MigStatus } from '../qapi/migrationInfo';

export interface QmpSample {
  /** microseconds since the epoch */
  time_us: number;
  info: MigrationInfo;
  line: number;
}

export interface ParsedSamples {
  samples: QmpSample[];
  malformed: number;
  malformed_examples: { line: number; text: string }[];
  total: number;
}

const STATUSES = new Set(['none', 'setup', 'cancelling', 'cancelled', 'active', 'postcopy-active', 'postcopy-paused', 'postcopy-recover', 'completed', 'failed', 'colo', 'pre-switchover', 'device', 'wait-unplug']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function fromQmp(r: Record<string, unknown>): MigrationInfo | null {
  if (typeof r.status !== 'string' || !STATUSES.has(r.status)) return null;
  const info: MigrationInfo = { status: r.status as MigStatus };
  for (const k of ['total-time', 'setup-time', 'downtime', 'expected-downtime', 'cpu-throttle-percentage'] as const) {
    const v = num(r[k]);
    if (v !== undefined) (info as unknown as Record<string, unknown>)[k] = v;
  }
  const ram = r.ram as Record<string, unknown> | undefined;
  if (ram && typeof ram === 'object') {
    const g = (k: string) => num(ram[k]) ?? 0;
    const ri: RamInfo = {
      transferred: g('transferred'),
      total: g('total'),
      duplicate: g('duplicate'),
      normal: g('normal'),
      'normal-bytes': g('normal-bytes'),
      mbps: g('mbps'),
      'dirty-sync-count': g('dirty-sync-count'),
      'pages-per-second': g('pages-per-second'),
      'page-size': num(ram['page-size']) ?? 4096,
      'precopy-bytes': g('precopy-bytes'),
      'downtime-bytes': g('downtime-bytes'),
    };
    if (num(ram.remaining) !== undefined) ri.remaining = num(ram.remaining);
    if (num(ram['dirty-pages-rate']) !== undefined) ri['dirty-pages-rate'] = num(ram['dirty-pages-rate']);
    if (num(ram['multifd-bytes']) !== undefined) ri['multifd-bytes'] = num(ram['multifd-bytes']);
    info.ram = ri;
  }
  return info;
}

function fromGuestperf(r: Record<string, unknown>): MigrationInfo | null {
  if (typeof r.status !== 'string' || !STATUSES.has(r.status) || num(r.now) === undefined) return null;
  const ram = (r.ram ?? {}) as Record<string, unknown>;
  const g = (k: string) => num(ram[k]) ?? 0;
  const info: MigrationInfo = {
    status: r.status as MigStatus,
    'total-time': num(r.duration),
    'setup-time': num(r.setup_time),
    'cpu-throttle-percentage': num(r.throttle_pcent) ?? 0,
    ram: {
      transferred: g('transferred_bytes'),
      remaining: g('remaining_bytes'),
      total: g('total_bytes'),
      duplicate: g('duplicate_pages'),
      normal: g('normal_pages'),
      'normal-bytes': g('normal_pages') * 4096,
      'dirty-pages-rate': g('dirty_rate_pps'),
      mbps: g('transfer_rate_mbs'),
      'dirty-sync-count': g('iterations'),
      'pages-per-second': 0,
      'page-size': 4096,
      'precopy-bytes': 0,
      'downtime-bytes': 0,
    },
  };
  if (r.status === 'completed' && num(r.downtime) !== undefined) info.downtime = num(r.downtime);
  else if (num(r.downtime_expected) !== undefined) info['expected-downtime'] = num(r.downtime_expected);
  return info;
}

/** A guestperf report's progress records, one JSON text each, if `text` is such a report. */
function guestperfReport(text: string): string[] | null {
  const t = text.trimStart();
  if (!t.startsWith('{') || !t.includes('"progress_history"')) return null;
  try {
    const v = JSON.parse(text) as { progress_history?: unknown };
    return Array.isArray(v.progress_history) ? v.progress_history.map((p) => JSON.stringify(p)) : null;
  } catch {
    return null;
  }
}

export function parseQmpSamples(text: string): ParsedSamples {
  const out: ParsedSamples = { samples: [], malformed: 0, malformed_examples: [], total: 0 };
  const rows = guestperfReport(text) ?? text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i].trim();
    if (raw === '') continue;
    out.total++;
    let r: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(raw) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) r = v as Record<string, unknown>;
    } catch {
      r = null;
    }
    let s: QmpSample | null = null;
    if (r !== null) {
      if (num(r['wall-us']) !== undefined && r.return && typeof r.return === 'object') {
        const info = fromQmp(r.return as Record<string, unknown>);
        if (info) s = { time_us: num(r['wall-us'])!, info, line: i + 1 };
      } else {
        const info = fromGuestperf(r);
        if (info) s = { time_us: num(r.now)! * 1e6, info, line: i + 1 };
      }
    }
    if (s === null) {
      out.malformed++;
      if (out.malformed_examples.length < 5) out.malformed_examples.push({ line: i + 1, text: raw.slice(0, 200) });
      continue;
    }
    out.samples.push(s);
  }
  out.samples.sort((a, b) => a.time_us - b.time_us || a.line - b.line);
  return out;
}
