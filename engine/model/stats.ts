// The migration's statistics under QEMU's names: query-migrate's MigrationInfo (QMP, for --json
// and trace samples) and HMP's `info migrate` text. Fields follow populate_ram_info: remaining and
// dirty-pages-rate are left out once the migration completed; downtime appears only then,
// expected-downtime only before.

import type { Kernel } from '../sim/kernel';
import { QEMU } from './calibration';
import type { ModelCtx } from './ctx';
import { md } from './ctx';
import type { MigrationInfo, RamInfo } from '../qapi/migrationInfo';
import { xbzrleStats } from './xbzrle';

export type { MigrationInfo, RamInfo } from '../qapi/migrationInfo';

export function queryMigrate(k: Kernel, ctx: ModelCtx): MigrationInfo {
  const m = md(k).mig;
  if (m.status === 'none') return { status: 'none' };
  const done = m.status === 'completed';
  const ended = done || m.status === 'failed' || m.status === 'cancelled';
  const end = ended ? m.end_ns : k.now;
  const totalMs = Math.round((end - m.start_ns) / 1e6);
  const setupMs = m.setup_end_ns > 0 ? Math.round((m.setup_end_ns - m.setup_start_ns) / 1e6) : 0;
  let mbps = m.mbps;
  if (done) {
    const activeMs = totalMs - setupMs;
    mbps = activeMs > 0 ? (m.transferred_bytes * 8) / activeMs / 1000 : 0;
  }
  const ram: RamInfo = {
    transferred: m.transferred_bytes,
    total: ctx.cfg.ram_bytes,
    duplicate: m.duplicate_pages,
    normal: m.normal_pages,
    'normal-bytes': m.normal_pages * QEMU.PAGE_SIZE,
    mbps: Math.round(mbps * 1000) / 1000,
    'dirty-sync-count': m.dirty_sync_count,
    'pages-per-second': Math.round(m.pages_per_second),
    'page-size': QEMU.PAGE_SIZE,
    'precopy-bytes': m.transferred_bytes - m.downtime_bytes,
    'downtime-bytes': m.downtime_bytes,
  };
  if (!done) {
    ram.remaining = md(k).ram.dirty_pages * QEMU.PAGE_SIZE;
    ram['dirty-pages-rate'] = m.dirty_pages_rate;
  }
  const d = md(k);
  const info: MigrationInfo = { status: m.status, 'total-time': totalMs, 'setup-time': setupMs, ram, 'cpu-throttle-percentage': d.throttle.pct };
  if (d.xbzrle !== null) info['xbzrle-cache'] = xbzrleStats(d.xbzrle);
  if (m.multifd_bytes > 0 || ctx.cfg.profile.senders) ram['multifd-bytes'] = m.multifd_bytes;
  if (m.error !== '') info['error-desc'] = m.error;
  if (done) info.downtime = Math.round(m.downtime_ns / 1e6);
  else info['expected-downtime'] = Math.round(m.expected_downtime_ms);
  return info;
}

/** HMP `info migrate`, in the layout of QEMU 1.x-2.x that the 2012 report quotes. */
export function formatInfoMigrate(q: MigrationInfo, capabilities: Record<string, boolean>): string {
  const kb = (b: number) => Math.floor(b / 1024);
  const lines = [`capabilities: ${Object.entries(capabilities).map(([c, on]) => `${c}: ${on ? 'on' : 'off'}`).join(' ')}`, `Migration status: ${q.status}`];
  if (q['total-time'] !== undefined) lines.push(`total time: ${q['total-time']} milliseconds`);
  if (q['expected-downtime'] !== undefined) lines.push(`expected downtime: ${q['expected-downtime']} milliseconds`);
  if (q.downtime !== undefined) lines.push(`downtime: ${q.downtime} milliseconds`);
  if (q['setup-time'] !== undefined) lines.push(`setup: ${q['setup-time']} milliseconds`);
  const r = q.ram;
  if (r !== undefined) {
    lines.push(`transferred ram: ${kb(r.transferred)} kbytes`);
    lines.push(`throughput: ${r.mbps.toFixed(2)} mbps`);
    lines.push(`remaining ram: ${kb(r.remaining ?? 0)} kbytes`);
    lines.push(`total ram: ${kb(r.total)} kbytes`);
    lines.push(`duplicate: ${r.duplicate} pages`);
    lines.push(`normal: ${r.normal} pages`);
    lines.push(`normal bytes: ${kb(r['normal-bytes'])} kbytes`);
    if (r['dirty-pages-rate'] !== undefined) lines.push(`dirty pages rate: ${r['dirty-pages-rate']} pages`);
    lines.push(`dirty sync count: ${r['dirty-sync-count']}`);
    lines.push(`page size: ${r['page-size'] / 1024} kbytes`);
  }
  const x = q['xbzrle-cache'];
  if (x !== undefined) {
    lines.push(`cache size: ${x['cache-size']} bytes`);
    lines.push(`xbzrle transferred: ${Math.floor(x.bytes / 1024)} kbytes`);
    lines.push(`xbzrle pages: ${x.pages} pages`);
    lines.push(`xbzrle cache miss: ${x['cache-miss']}`);
    lines.push(`xbzrle cache miss rate: ${x['cache-miss-rate'].toFixed(2)}`);
    lines.push(`xbzrle overflow: ${x.overflow}`);
  }
  if (q['cpu-throttle-percentage'] !== undefined && q['cpu-throttle-percentage'] > 0) lines.push(`cpu throttle percentage: ${q['cpu-throttle-percentage']}`);
  if (q['error-desc'] !== undefined) lines.push(`error description: ${q['error-desc']}`);
  return lines.join('\n');
}
