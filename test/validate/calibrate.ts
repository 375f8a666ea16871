// `npm run validate -- --calibrate`: what the fit half's fixtures say about this host: the figures
// the tcg-loopback host profile is fitted to (engine/model/calibration.ts cites this output).
// Nothing here runs QEMU; it reads the cached runs of the fit half only.
//
// Each real run records the CPU time every QEMU thread used during the migration (/proc's utime
// + stime), so CPU costs are measured as CPU, not guessed from wall time on a shared host:
//  - the source's migration thread: CPU per normal page, per zero page and per sync, fitted by
//    least squares over the runs (pages and syncs from query-migrate);
//  - the destination's main thread (it runs ram_load): CPU per page placed, per zero page, and
//    per page of the first pass (the first touch of its RAM);
//  - the guest: passes over its 99 MiB per CPU-second of its vCPU thread;
//  - the spread of the host's speed: how far repeats of one setting differ in migration-thread
//    CPU per page.

import { median } from '../../engine/model/seedSweep';
import { readFixture, type RealRunRecord } from './realFixture';
import { migrationSpanS } from './realCollect';
import type { RealSetting } from './realSet';

/** Pages the migration-test guest writes (1 MiB to 100 MiB) and the pages below them (the BIOS area): its nonzero RAM. */
export const GUEST_WS_PAGES = 25_344;
const NONZERO_PAGES = 25_600;

/** Least squares: coefficients x minimising |A x − b|² (normal equations, Gaussian elimination). */
export function leastSquares(a: number[][], b: number[]): number[] {
  const n = a[0]?.length ?? 0;
  const m: number[][] = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let r = 0; r < a.length; r++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) m[i][j] += a[r][i] * a[r][j];
      m[i][n] += a[r][i] * b[r];
    }
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    if (Math.abs(m[c][c]) < 1e-12) return new Array<number>(n).fill(NaN);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / m[i][i]);
}

function cpuOf(r: RealRunRecord, side: string, name: RegExp): number {
  let ms = 0;
  for (const [k, v] of Object.entries(r['thread-cpu-ms'])) {
    const [s, n] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
    if (s === side && name.test(n)) ms += v;
  }
  return ms;
}

interface Run {
  s: RealSetting;
  r: RealRunRecord;
  span: number;
  normal: number;
  zero: number;
  syncs: number;
  xbzrlePages: number;
}

const kind = (s: RealSetting) => (s.sets.some((x) => x.includes('multifd')) ? 'multifd' : s.sets.some((x) => x.includes('xbzrle')) ? 'xbzrle' : 'precopy');
const f4 = (x: number) => (Number.isFinite(x) ? +x.toPrecision(4) : NaN);

function show(what: string, xs: number[]): void {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return;
  console.log(`CALIBRATE ${what}: median ${f4(median(s) ?? NaN)}, min ${f4(s[0])}, max ${f4(s[s.length - 1])} (${s.length} runs)`);
}

export function calibrationReport(fit: RealSetting[]): void {
  const runs: Run[] = [];
  for (const s of fit) {
    const f = readFixture(s.label);
    if (f === null) {
      console.log(`CALIBRATE ${s.label}: no fixture (npm run validate -- --refresh-real ${s.label})`);
      continue;
    }
    for (const r of f.runs) {
      const ram = (r['last-active'] ?? r.info).ram;
      if (ram === undefined) continue;
      runs.push({ s, r, span: migrationSpanS(r), normal: ram.normal, zero: ram.duplicate, syncs: ram['dirty-sync-count'], xbzrlePages: r.info['xbzrle-cache']?.pages ?? 0 });
    }
  }
  console.log(`# the fit half: ${fit.length} settings, ${runs.length} real runs (CPU times in ms of thread CPU, from /proc in 10 ms ticks)`);
  const pre = runs.filter((x) => kind(x.s) === 'precopy');
  // the source's migration thread (QEMU 7.2 names it live_migration)
  const mig = leastSquares(pre.map((x) => [x.normal, x.zero, x.syncs]), pre.map((x) => cpuOf(x.r, 'source', /^live_migration$/) * 1e6));
  console.log(`CALIBRATE source migration thread, precopy (${pre.length} runs): ${f4(mig[0])} ns per normal page, ${f4(mig[1])} ns per zero page, ${f4(mig[2])} ns per sync`);
  const xb = runs.filter((x) => kind(x.s) === 'xbzrle');
  if (xb.length > 0) {
    const rest = xb.map((x) => cpuOf(x.r, 'source', /^live_migration$/) * 1e6 - mig[0] * (x.normal) - mig[1] * x.zero - mig[2] * x.syncs);
    const per = leastSquares(xb.map((x) => [x.xbzrlePages]), rest);
    console.log(`CALIBRATE source migration thread, XBZRLE (${xb.length} runs): ${f4(per[0])} ns per page encoded (over the precopy costs)`);
  }
  // the destination's main thread runs ram_load; every page of the first pass is a first touch
  const dst = leastSquares(pre.map((x) => [Math.max(0, x.normal - NONZERO_PAGES), x.zero, 1]), pre.map((x) => cpuOf(x.r, 'destination', /^main$/) * 1e6));
  console.log(`CALIBRATE destination ram_load, precopy: ${f4(dst[0])} ns per normal page resent, ${f4(dst[1])} ns per zero page (first touch included), ${f4(dst[2] / NONZERO_PAGES)} ns per page of the first pass (first touch included)`);
  const mf = runs.filter((x) => kind(x.s) === 'multifd');
  if (mf.length > 0) {
    const send = leastSquares(mf.map((x) => [x.normal]), mf.map((x) => cpuOf(x.r, 'source', /^multifdsend_\d+$/) * 1e6));
    const recv = leastSquares(mf.map((x) => [x.normal]), mf.map((x) => cpuOf(x.r, 'destination', /^multifdrecv_\d+$/) * 1e6));
    const mt = leastSquares(mf.map((x) => [x.normal, x.zero]), mf.map((x) => cpuOf(x.r, 'source', /^live_migration$/) * 1e6));
    console.log(`CALIBRATE multifd (${mf.length} runs): senders ${f4(send[0])} ns per normal page, receivers ${f4(recv[0])} ns per normal page, migration thread ${f4(mt[0])} ns per normal page and ${f4(mt[1])} per zero page`);
  }
  show('guest passes over its 99 MiB per CPU-second of its vCPU thread', runs.map((x) => {
    const cpu = cpuOf(x.r, 'source', /^CPU \d+\/TCG$/) / 1000;
    return cpu > 0.2 ? (x.r['guest-passes-per-s'] * x.span) / cpu : NaN;
  }));
  show('guest passes over its 99 MiB per second of the migration', runs.map((x) => x.r['guest-passes-per-s']));
  show('share of a CPU the vCPU got during the migration', runs.map((x) => (x.span > 0.2 ? cpuOf(x.r, 'source', /^CPU \d+\/TCG$/) / 1000 / x.span : NaN)));
  show('migration_bitmap_sync wall ms, 150 MiB', runs.filter((x) => !x.s.sets.some((y) => y.startsWith('guest.memory='))).flatMap((x) => x.r.syncs.map((y) => y[1])));
  show('migration_bitmap_sync wall ms, 512 MiB', runs.filter((x) => x.s.sets.includes('guest.memory="512M"')).flatMap((x) => x.r.syncs.map((y) => y[1])));
  show('migration_bitmap_sync wall ms, 1 GiB', runs.filter((x) => x.s.sets.includes('guest.memory="1G"')).flatMap((x) => x.r.syncs.map((y) => y[1])));
  for (const ram of ['150M', '512M', '1G']) {
    const of = runs.filter((x) => (ram === '150M' ? !x.s.sets.some((y) => y.startsWith('guest.memory=')) : x.s.sets.includes(`guest.memory="${ram}"`)));
    show(`setup-time ms, ${ram}`, of.map((x) => x.r.info['setup-time'] ?? NaN));
  }
  // the host's speed from run to run: repeats of one setting, migration-thread CPU per page sent
  const spread: number[] = [];
  for (const s of fit) {
    const xs = runs.filter((x) => x.s === s && x.normal + x.zero > 0).map((x) => cpuOf(x.r, 'source', /^live_migration$/) / (x.normal + 0.1 * x.zero));
    const m = median(xs);
    if (xs.length >= 3 && m !== null && m > 0) for (const v of xs) spread.push(Math.abs(v / m - 1));
  }
  show('repeats: |migration-thread CPU per page / the setting\'s median − 1|', spread);
  show('other processes: CPU share during the migration', runs.map((x) => (x.span > 0 ? x.r['foreign-cpu-s'] / x.span : NaN)));
}
