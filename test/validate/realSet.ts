// The real validation set: settings of QEMU's migration-test guest (qtest-bootblock) migrated by
// real QEMUs on this machine (`npm run validate -- --refresh-real`), cached as fixtures in
// test/fixtures/real-validation/, and held against the model on the tcg-loopback host profile.
//
// Across max-bandwidth 8 MiB/s to 1 GiB/s, downtime limits 30 ms to 2 s, plain precopy,
// auto-converge, multifd with 2 and 4 channels, XBZRLE with 32 and 128 MiB caches, and guests of
// 150 MiB, 512 MiB and 1 GiB. The guest rewrites its 99 MiB every few ms, so a migration converges
// when bandwidth × downtime-limit exceeds about 104 MB (all of it, plus what the round left);
// settings near that product are on the knife edge and run 5 times, the others 3.
//
// Split: `half: 'fit'` settings are the ones the tcg-loopback constants were fitted on
// (engine/model/calibration.ts names them); `half: 'held-out'` settings were not looked at while
// fitting, and their rows are predictions. The halves alternate within each group (bandwidth,
// downtime, mechanism, guest size) so both cover every regime.

export type Half = 'fit' | 'held-out';

export interface RealSetting {
  label: string;
  /** --set overrides of qtest-bootblock */
  sets: string[];
  half: Half;
  /** bandwidth × downtime-limit close to what the guest keeps dirty: more repeats */
  knife_edge?: boolean;
  /** metrics where the model is known to miss here, and why (shown with the row, never hidden) */
  known_miss?: Record<string, string>;
}

const bw = (b: string) => `migration.max-bandwidth="${b}"`;
const dt = (ms: number) => `migration.downtime-limit=${ms}`;
const maxTime = (s: number) => `limits.max-time=${s}`;
const mem = (m: string) => `guest.memory="${m}"`;
const mfd = (ch: number) => ['migration.profile=modern', `migration.multifd-channels=${ch}`];
const ac = 'migration.capabilities={"auto-converge":true}';
const xb = (cache: string) => ['migration.capabilities={"xbzrle":true}', `migration.xbzrle-cache-size="${cache}"`];

export const REAL_SET: RealSetting[] = [
  // the host's own pace: no rate limit, a downtime limit it can never meet (3 s of live windows)
  { label: 'bw100G-dt50', sets: [bw('100G'), dt(50), maxTime(3)], half: 'fit' },
  // 150 MiB, plain precopy, from 8 MiB/s to 1 GiB/s
  { label: 'bw8M-dt2000', sets: [bw('8M'), dt(2000), maxTime(6)], half: 'fit' },
  { label: 'bw32M-dt300', sets: [bw('32M'), dt(300), maxTime(4)], half: 'held-out' },
  { label: 'bw64M-dt2000', sets: [bw('64M'), dt(2000), maxTime(8)], half: 'fit' },
  { label: 'bw64M-dt1000', sets: [bw('64M'), dt(1000), maxTime(5)], half: 'held-out' },
  { label: 'bw128M-dt1500', sets: [bw('128M'), dt(1500), maxTime(6)], half: 'fit' },
  { label: 'bw128M-dt800', sets: [bw('128M'), dt(800), maxTime(6)], half: 'held-out', knife_edge: true },
  { label: 'bw128M-dt300', sets: [bw('128M'), dt(300), maxTime(4)], half: 'fit' },
  { label: 'bw256M-dt1000', sets: [bw('256M'), dt(1000), maxTime(6)], half: 'held-out' },
  { label: 'bw256M-dt400', sets: [bw('256M'), dt(400), maxTime(6)], half: 'fit', knife_edge: true },
  { label: 'bw512M-dt500', sets: [bw('512M'), dt(500), maxTime(6)], half: 'fit' },
  { label: 'bw512M-dt200', sets: [bw('512M'), dt(200), maxTime(6)], half: 'held-out', knife_edge: true },
  { label: 'bw1G-dt2000', sets: [bw('1G'), dt(2000), maxTime(6)], half: 'held-out' },
  { label: 'bw1G-dt300', sets: [bw('1G'), dt(300), maxTime(6)], half: 'fit' },
  { label: 'bw1G-dt100', sets: [bw('1G'), dt(100), maxTime(6)], half: 'held-out', knife_edge: true },
  { label: 'bw1G-dt50', sets: [bw('1G'), dt(50), maxTime(6)], half: 'fit', knife_edge: true },
  { label: 'bw1G-dt30', sets: [bw('1G'), dt(30), maxTime(6)], half: 'held-out', knife_edge: true },
  // auto-converge
  { label: 'ac-bw32M-dt300', sets: [ac, bw('32M'), dt(300), maxTime(20)], half: 'fit' },
  { label: 'ac-bw128M-dt300', sets: [ac, bw('128M'), dt(300), maxTime(20)], half: 'held-out' },
  { label: 'ac-bw1G-dt100', sets: [ac, bw('1G'), dt(100), maxTime(20)], half: 'fit' },
  { label: 'ac-bw1G-dt30', sets: [ac, bw('1G'), dt(30), maxTime(20)], half: 'held-out' },
  // multifd
  { label: 'mfd2-bw64M-dt300', sets: [...mfd(2), bw('64M'), dt(300), maxTime(4)], half: 'fit' },
  { label: 'mfd2-bw512M-dt1000', sets: [...mfd(2), bw('512M'), dt(1000), maxTime(6)], half: 'held-out' },
  { label: 'mfd2-bw1G-dt300', sets: [...mfd(2), bw('1G'), dt(300), maxTime(6)], half: 'fit' },
  { label: 'mfd4-bw256M-dt1000', sets: [...mfd(4), bw('256M'), dt(1000), maxTime(6)], half: 'held-out' },
  { label: 'mfd4-bw512M-dt200', sets: [...mfd(4), bw('512M'), dt(200), maxTime(6)], half: 'fit', knife_edge: true },
  { label: 'mfd4-bw1G-dt300', sets: [...mfd(4), bw('1G'), dt(300), maxTime(6)], half: 'held-out' },
  // XBZRLE: the guest changes one byte per page, so a cached page goes as a 14-byte delta
  { label: 'xb32M-bw128M-dt300', sets: [...xb('32M'), bw('128M'), dt(300), maxTime(6)], half: 'fit' },
  { label: 'xb128M-bw128M-dt300', sets: [...xb('128M'), bw('128M'), dt(300), maxTime(6)], half: 'held-out' },
  { label: 'xb128M-bw32M-dt300', sets: [...xb('128M'), bw('32M'), dt(300), maxTime(10)], half: 'fit' },
  { label: 'xb32M-bw256M-dt400', sets: [...xb('32M'), bw('256M'), dt(400), maxTime(6)], half: 'held-out' },
  // 512 MiB
  { label: '512M-bw1G-dt300', sets: [mem('512M'), bw('1G'), dt(300), maxTime(8)], half: 'fit' },
  { label: '512M-bw256M-dt1000', sets: [mem('512M'), bw('256M'), dt(1000), maxTime(8)], half: 'held-out' },
  { label: '512M-bw128M-dt800', sets: [mem('512M'), bw('128M'), dt(800), maxTime(10)], half: 'held-out', knife_edge: true },
  { label: '512M-bw64M-dt2000', sets: [mem('512M'), bw('64M'), dt(2000), maxTime(12)], half: 'fit' },
  { label: '512M-mfd4-bw1G-dt300', sets: [mem('512M'), ...mfd(4), bw('1G'), dt(300), maxTime(8)], half: 'held-out' },
  // 1 GiB
  { label: '1G-bw1G-dt300', sets: [mem('1G'), bw('1G'), dt(300), maxTime(10)], half: 'held-out', known_miss: {
    'total-time-ms': 'the real repeats spread 1,937-8,422 ms because their CPU per zero page did (the same ~230 k zero pages cost the migration thread 900-3,510 ms and the destination 1,410-5,580 ms of CPU; the slowest run also had 1.47 CPU-s of other, kernel, work): a never-touched page of the memfd-backed RAM is allocated when first read or placed, at a cost that depends on the host\'s free memory at the time; the model has one cost per zero page (collected 2026-12-02)',
  } },
  { label: '1G-bw512M-dt500', sets: [mem('1G'), bw('512M'), dt(500), maxTime(10)], half: 'fit' },
  { label: '1G-bw128M-dt1500', sets: [mem('1G'), bw('128M'), dt(1500), maxTime(15)], half: 'held-out' },
  { label: '1G-bw1G-dt30', sets: [mem('1G'), bw('1G'), dt(30), maxTime(8)], half: 'fit', knife_edge: true },
  { label: '1G-xb128M-bw128M-dt300', sets: [mem('1G'), ...xb('128M'), bw('128M'), dt(300), maxTime(15)], half: 'held-out' },
  { label: '1G-ac-bw256M-dt100', sets: [mem('1G'), ac, bw('256M'), dt(100), maxTime(20)], half: 'fit' },
];

export function repeatsOf(s: RealSetting): number {
  return s.knife_edge ? 5 : 3;
}

/**
 * Settings named by `filters` (all when none): a filter that is a setting's whole label names that
 * setting only (`bw512M-dt500` is not also `1G-bw512M-dt500`); any other filter names every setting
 * whose label contains it.
 */
export function selectSettings(filters: string[]): RealSetting[] {
  if (filters.length === 0) return REAL_SET;
  const exact = new Set(REAL_SET.map((s) => s.label));
  return REAL_SET.filter((s) => filters.some((f) => (exact.has(f) ? s.label === f : s.label.includes(f))));
}
