// `npm run validate [-- options]`: the model against published figures (cases.ts), then the model
// against real QEMU migrations run here (realRuns.ts). One VALIDATE line per figure; exit code 1
// if a figure is out of tolerance without a documented reason.
//   --model-only      skip the real runs
//   --repeats N       real runs per case (default 3; the model is held against their median)
//   --calibrate [N]   instead: N unlimited-bandwidth runs and N rate-limited ones, and the figures
//                     the tcg-loopback host profile is fitted to (engine/model/calibration.ts)
import { allCases, formatRow, rowOk, type ValidationRow } from './cases';
import { calibrationFigures, median, REAL_CASES, realCase, realRun, type CalibrationFigures } from './realRuns';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
}

function report(rows: ValidationRow[]): number {
  let bad = 0;
  for (const r of rows) {
    console.log(formatRow(r));
    if (!rowOk(r) && !r.known_miss) bad++;
  }
  return bad;
}

async function calibrate(n: number): Promise<void> {
  const f: CalibrationFigures = { live_bytes_per_s: [], stop_copy_bytes_per_s: [], sync_ms: [], passes_per_s: [] };
  // Unlimited bandwidth and a 50 ms downtime limit (never converges here): 3 s of live periods.
  for (let i = 0; i < n; i++) calibrationFigures(await realRun(['migration.max-bandwidth="100G"', 'migration.downtime-limit=50', 'limits.max-time=3']), f);
  // Rate-limited, converging in the bulk stage: the stop-and-copy phase sends ~100 MiB at full
  // speed (its rate-limited live periods say nothing about the host, so they are left out).
  for (let i = 0; i < n; i++) {
    const r = await realRun(['migration.max-bandwidth="64M"', 'migration.downtime-limit=2500', 'limits.max-time=8']);
    calibrationFigures(r, { ...f, live_bytes_per_s: [] });
  }
  const show = (what: string, xs: number[], unit: (x: number) => string) => {
    const s = [...xs].sort((a, b) => a - b);
    console.log(`CALIBRATE ${what}: median ${unit(median(s))}, min ${unit(s[0])}, max ${unit(s[s.length - 1])} (${s.length} samples)`);
  };
  const mbs = (x: number) => `${(x / 1e6).toFixed(0)} MB/s (${((4104 / x) * 1e6).toFixed(2)} µs per normal page)`;
  show('live throughput (migrate_transferred, guest running, unlimited)', f.live_bytes_per_s, mbs);
  show('stop-and-copy throughput (downtime-bytes / downtime)', f.stop_copy_bytes_per_s, mbs);
  show('migration_bitmap_sync duration (150 MiB guest)', f.sync_ms, (x) => `${x.toFixed(3)} ms`);
  show('guest passes over 99 MiB per second during the migration', f.passes_per_s, (x) => `${x.toFixed(0)} (${((x * 25344) / 1e6).toFixed(2)} M pages/s)`);
}

async function main(): Promise<void> {
  const cal = arg('--calibrate');
  if (cal !== undefined) {
    await calibrate(Number(cal) > 0 ? Number(cal) : 5);
    return;
  }
  let bad = report(allCases());
  if (process.argv.includes('--model-only')) {
    process.exitCode = bad ? 1 : 0;
    return;
  }
  const repeats = Number(arg('--repeats') ?? 3);
  console.log(`# real QEMU migrations on this machine (qtest-bootblock, ${repeats} runs per case, median) against the model on the tcg-loopback host profile`);
  for (const c of REAL_CASES) {
    const r = await realCase(c, repeats);
    bad += report(r.rows);
    const lost = r.runs.filter((x) => x.completed && !x.destination_running).length;
    if (lost > 0) {
      console.log(`VALIDATE real/${c.label} destination-running: ${lost} of ${r.runs.length} completed runs left the guest not running on the destination`);
      bad++;
    }
  }
  process.exitCode = bad ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
