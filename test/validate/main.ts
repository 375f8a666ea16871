// `npm run validate [-- options] [LABEL...]`: the model against published figures (cases.ts), then
// the model against real QEMU migrations run on this machine, cached as fixtures
// (test/fixtures/real-validation, realSet.ts): the fit half, then the held-out half, each with a
// summary line. One VALIDATE line per figure; exit code 1 if a figure is out of tolerance without
// a documented reason.
//   --model-only      published figures only
//   --refresh-real    run real QEMUs again for the settings named (all when none) and rewrite
//                     their fixtures first; without it, real runs are read from the fixtures
//   --repeats N       with --refresh-real: runs per setting (default 3, 5 on the knife edge)
//   --nice N          with --refresh-real: run the QEMUs at nice N (e.g. -20 on a busy host; recorded)
//   --seeds N         model seeds per real setting (default 10)
//   --half H          one half only (shown, and with --refresh-real collected): fit or held-out
//   --load-aware      for runs collected under load, give the model the host CPUs the other
//                     processes left (measured: an upper bound of what they took from QEMU, whose
//                     threads may have run at a higher priority); by default the profile's count
//   --host-cpus X     give the model X host CPUs (a fraction allowed) for every real setting: what
//                     share of the host the QEMUs had, as an experiment
//   --calibrate       instead: what the fit half's fixtures say about this host (the figures the
//                     tcg-loopback profile is fitted to, engine/model/calibration.ts)
//   LABEL...          only these real settings: a whole label names that one, any other text
//                     every setting whose label contains it
import { allCases, formatRow, rowCounts, rowOk, type ValidationRow } from './cases';
import { calibrationReport } from './calibrate';
import { collectSetting } from './realCollect';
import { listFixtures, load1m, readFixture } from './realFixture';
import { REAL_SET, selectSettings, type Half } from './realSet';
import { realSettingRows, type RealSettingResult } from './realTable';
import { seedRange } from '../../engine/model/seedSweep';

const VALUE_FLAGS = new Set(['--seeds', '--half', '--repeats', '--nice', '--host-cpus']);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
}

function labels(): string[] {
  const out: string[] = [];
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (VALUE_FLAGS.has(a[i])) i++;
    else if (!a[i].startsWith('--')) out.push(a[i]);
  }
  return out;
}

function report(rows: ValidationRow[]): number {
  let bad = 0;
  for (const r of rows) {
    console.log(formatRow(r));
    if (rowCounts(r)) bad++;
  }
  return bad;
}

function summary(what: string, results: RealSettingResult[]): string {
  const rows = results.flatMap((r) => r.rows).filter((r) => !r.informative);
  const ok = rows.filter(rowOk).length;
  const known = rows.filter((r) => !rowOk(r) && r.known_miss).length;
  const conv = results.filter((r) => rowOk(r.rows[0])).length;
  const split = results.filter((r) => {
    const runs = r.fixture.runs;
    const k = runs.filter((x) => x.info.status === 'completed').length;
    return k > 0 && k < runs.length;
  }).length;
  return `VALIDATE-SUMMARY ${what}: ${results.length} settings (${split} where real repeats split); converged-or-not right in ${conv} of ${results.length}; ${rows.length} counted rows: ${ok} ok, ${known} out with a documented reason, ${rows.length - ok - known} out`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--calibrate')) {
    calibrationReport(REAL_SET.filter((s) => s.half === 'fit'));
    return;
  }
  let bad = report(allCases());
  if (process.argv.includes('--model-only')) {
    process.exitCode = bad ? 1 : 0;
    return;
  }
  const onlyHalf = arg('--half') as Half | undefined;
  if (onlyHalf !== undefined && onlyHalf !== 'fit' && onlyHalf !== 'held-out') throw new Error(`--half must be fit or held-out, got ${onlyHalf}`);
  const chosen = selectSettings(labels()).filter((s) => onlyHalf === undefined || s.half === onlyHalf);
  if (process.argv.includes('--refresh-real')) {
    const sessionLoad = load1m();
    const today = new Date().toISOString().slice(0, 10);
    console.log(`# collecting ${chosen.length} settings on real QEMUs (1-minute load at the start: ${sessionLoad})`);
    const repeats = arg('--repeats') === undefined ? undefined : Number(arg('--repeats'));
    const nice = Number(arg('--nice') ?? 0);
    for (const s of chosen) await collectSetting(s, today, sessionLoad, (l) => console.log(l), repeats, nice);
  }
  const nSeeds = Number(arg('--seeds') ?? 10);
  if (!(Number.isSafeInteger(nSeeds) && nSeeds >= 1)) throw new Error(`--seeds must be a positive integer, got ${arg('--seeds')}`);
  const seeds = seedRange(1, nSeeds);
  const hostCpus = arg('--host-cpus') === undefined ? undefined : Number(arg('--host-cpus'));
  if (hostCpus !== undefined && !(hostCpus > 0 && hostCpus <= 2)) throw new Error(`--host-cpus must be a number in (0, 2], got ${arg('--host-cpus')}`);
  const stale = listFixtures().filter((l) => !REAL_SET.some((s) => s.label === l));
  if (stale.length > 0) console.log(`# fixtures of settings no longer in the real set (ignored): ${stale.join(', ')}`);
  for (const half of ['fit', 'held-out'] as const) {
    if (onlyHalf !== undefined && half !== onlyHalf) continue;
    const settings = chosen.filter((s) => s.half === half);
    console.log(`# real QEMU migrations on this machine, ${half === 'fit' ? 'FIT half (the tcg-loopback constants are fitted on these)' : 'HELD-OUT half (predictions: nothing fitted on them)'}: ${settings.length} settings; the model on tcg-loopback over ${nSeeds} seeds each`);
    const results: RealSettingResult[] = [];
    for (const s of settings) {
      const f = readFixture(s.label);
      if (f === null) {
        console.log(`VALIDATE real/${s.label} fixture missing: collect it with npm run validate -- --refresh-real ${s.label}`);
        bad++;
        continue;
      }
      const r = realSettingRows(s, f, seeds, process.argv.includes('--load-aware'), hostCpus);
      results.push(r);
      bad += report(r.rows);
      const lost = f.runs.filter((x) => x.info.status === 'completed' && !x['destination-running']).length;
      if (lost > 0) {
        console.log(`VALIDATE real/${s.label} destination-running: ${lost} of ${f.runs.length} completed runs left the guest not running on the destination`);
        bad++;
      }
    }
    console.log(summary(half === 'fit' ? 'real fit half' : 'real held-out half', results));
  }
  process.exitCode = bad ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
