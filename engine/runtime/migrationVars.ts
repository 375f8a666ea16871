// The migration's variables as a debugger shows them, under query-migrate's names where QEMU has
// one: what the Migration scope lists, what breakpoint conditions and data breakpoints read.

import type { Kernel } from '../sim/kernel';
import { md, type ModelCtx } from '../model/ctx';
import { queryMigrate } from '../model/stats';
import { QEMU } from '../model/calibration';

export type MigValue = number | string;

/** One variable: its name, a getter, and how to show it. */
export interface MigVar {
  name: string;
  get(k: Kernel, ctx: ModelCtx): MigValue;
  unit?: 'bytes' | 'ns' | 'ms' | 'pages' | 'pages/s' | 'bytes/s' | '%' | 'mbps';
  /** a data breakpoint may watch it */
  watchable: boolean;
}

export const MIGRATION_VARS: readonly MigVar[] = [
  { name: 'status', get: (k) => md(k).mig.status, watchable: true },
  { name: 'stage', get: (k) => md(k).mig.stage, watchable: true },
  { name: 'iteration', get: (k) => md(k).mig.dirty_sync_count, watchable: true },
  { name: 'remaining', get: (k) => md(k).ram.dirty_pages * QEMU.PAGE_SIZE, unit: 'bytes', watchable: true },
  { name: 'dirty-pages', get: (k) => md(k).ram.dirty_pages, unit: 'pages', watchable: true },
  { name: 'dirty-pages-rate', get: (k) => md(k).mig.dirty_pages_rate, unit: 'pages/s', watchable: true },
  { name: 'transferred', get: (k) => md(k).mig.transferred_bytes, unit: 'bytes', watchable: true },
  { name: 'bandwidth', get: (k) => Math.round(md(k).mig.bandwidth_bytes_per_ms * 1000), unit: 'bytes/s', watchable: true },
  { name: 'mbps', get: (k) => md(k).mig.mbps, unit: 'mbps', watchable: true },
  { name: 'threshold', get: (k) => Math.round(md(k).mig.threshold_bytes), unit: 'bytes', watchable: true },
  { name: 'expected-downtime', get: (k) => Math.round(md(k).mig.expected_downtime_ms), unit: 'ms', watchable: true },
  { name: 'downtime-limit', get: (_k, ctx) => ctx.cfg.downtime_limit_ms, unit: 'ms', watchable: false },
  { name: 'cpu-throttle-percentage', get: (k) => md(k).throttle.pct, unit: '%', watchable: true },
  { name: 'dirty-sync-count', get: (k) => md(k).mig.dirty_sync_count, watchable: true },
  { name: 'total-time', get: (k) => { const m = md(k).mig; return m.status === 'none' ? 0 : Math.round(((m.end_ns > 0 ? m.end_ns : k.now) - m.start_ns) / 1e6); }, unit: 'ms', watchable: false },
  { name: 'time', get: (k) => k.now, unit: 'ns', watchable: false },
];

/** Short names people type in conditions and the Watch view (`throttle`, `dirty`). */
export const MIGRATION_ALIASES: Record<string, string> = {
  throttle: 'cpu-throttle-percentage',
  dirty: 'dirty-pages',
  'dirty-rate': 'dirty-pages-rate',
  'dirty_pages': 'dirty-pages',
  'expected_downtime': 'expected-downtime',
  iterations: 'iteration',
};

export function migVar(name: string): MigVar | undefined {
  const n = MIGRATION_ALIASES[name] ?? name;
  return MIGRATION_VARS.find((v) => v.name === n);
}

export function migrationVarNames(): string[] {
  return [...MIGRATION_VARS.map((v) => v.name), ...Object.keys(MIGRATION_ALIASES)];
}

/** query-migrate itself, for the Migration scope's `query-migrate` entry. */
export function queryMigrateNow(k: Kernel, ctx: ModelCtx): unknown {
  return queryMigrate(k, ctx);
}

export function formatValue(v: MigValue, unit?: MigVar['unit']): string {
  if (typeof v === 'string') return v;
  switch (unit) {
    case 'bytes': return `${v} (${humanBytes(v)})`;
    case 'bytes/s': return `${v} (${humanBytes(v)}/s)`;
    case 'ns': return `${v} (${humanNs(v)})`;
    case 'ms': return `${v} ms`;
    case '%': return `${v}%`;
    case 'pages': return `${v} pages`;
    case 'pages/s': return `${v} pages/s`;
    default: return String(v);
  }
}

export function humanBytes(b: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = b;
  while (Math.abs(x) >= 1024 && i < u.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(1)} ${u[i]}`;
}

export function humanNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(6)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${ns} ns`;
}
