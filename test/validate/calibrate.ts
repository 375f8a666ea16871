// `npm run validate -- --calibrate`: what the fit half's fixtures say about this host, the figures
// the tcg-loopback host profile is fitted to (engine/model/calibration.ts cites them). Nothing
// here runs QEMU: it reads the cached runs.

import { median } from '../../engine/model/seedSweep';
import { readFixture, type RealRunRecord } from './realFixture';
import { migrationSpanS } from './realCollect';
import type { RealSetting } from './realSet';

const MiB = 1024 * 1024;

interface Acc {
  [what: string]: number[];
}

function push(a: Acc, what: string, x: number): void {
  if (!Number.isFinite(x)) return;
  (a[what] ??= []).push(x);
}

function ramOf(s: RealSetting): string {
  const m = s.sets.find((x) => x.startsWith('guest.memory='));
  return m === undefined ? '150M' : m.slice('guest.memory='.length).replace(/"/g, '');
}

function limitOf(s: RealSetting): number {
  const m = s.sets.find((x) => x.startsWith('migration.max-bandwidth='));
  if (m === undefined) return 1e9;
  const v = m.slice('migration.max-bandwidth='.length).replace(/"/g, '');
  const u = { K: 1024, M: MiB, G: 1024 * MiB } as Record<string, number>;
  return Number.parseFloat(v) * (u[v.slice(-1)] ?? 1);
}

function runFigures(s: RealSetting, r: RealRunRecord, a: Acc): void {
  const ram = ramOf(s);
  const mech = s.label.replace(/^\d+[MG]-/, '').split('-')[0];
  const kind = /^(ac|mfd\d|xb\d+M)$/.test(mech) ? mech : 'plain';
  const windowLimit = limitOf(s) / 10;
  const span = migrationSpanS(r);
  // 100 ms windows that sent clearly less than the rate limit allows: the host's own pace
  for (const [, bytes, ms] of r.windows) if (ms > 0 && bytes < 0.9 * windowLimit * (ms / 100)) push(a, `${kind} ${ram}: host-limited window throughput MB/s`, bytes / ms / 1000);
  for (const [, ms] of r.syncs) push(a, `${ram}: migration_bitmap_sync ms`, ms);
  push(a, `${ram}: setup-time ms`, r.info['setup-time'] ?? NaN);
  push(a, 'guest passes over its 99 MiB per second', r['guest-passes-per-s']);
  const dt = r.info.downtime ?? 0;
  const dtb = r.info.ram?.['downtime-bytes'] ?? 0;
  if (r.info.status === 'completed' && dt > 0 && dtb > 0) push(a, `${kind} ${ram}: stop-and-copy MB/s (downtime-bytes / downtime)`, dtb / dt / 1000);
  if (span > 0) {
    for (const [thread, ms] of Object.entries(r['thread-cpu-ms'])) {
      const name = thread.replace(/\d+/g, 'N');
      push(a, `${kind}: CPU share of ${name}`, ms / 1000 / span);
    }
    push(a, 'other processes: CPU share during the migration', r['foreign-cpu-s'] / span);
  }
}

export function calibrationReport(fit: RealSetting[]): void {
  const a: Acc = {};
  let runs = 0;
  for (const s of fit) {
    const f = readFixture(s.label);
    if (f === null) {
      console.log(`CALIBRATE ${s.label}: no fixture (npm run validate -- --refresh-real ${s.label})`);
      continue;
    }
    for (const r of f.runs) {
      runFigures(s, r, a);
      runs++;
    }
  }
  console.log(`# the fit half: ${fit.length} settings, ${runs} real runs`);
  for (const what of Object.keys(a).sort()) {
    const xs = [...a[what]].sort((x, y) => x - y);
    const f = (x: number) => +x.toPrecision(4);
    console.log(`CALIBRATE ${what}: median ${f(median(xs) ?? NaN)}, min ${f(xs[0])}, max ${f(xs[xs.length - 1])} (${xs.length} samples)`);
  }
}
