// Model speed and memory: wall time and peak RSS of whole migrations, and the speed ratio
// (simulated seconds per wall second). Each case runs in its own process so that peak RSS is its
// own. Goal (issue 3): seed-specjbb-128g (≈ 543 s simulated) at ≥ 250x, peak RSS ≤ 300 MiB.
import { spawnSync } from 'node:child_process';
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';

const CASES: Record<string, () => ReturnType<typeof loadBuiltin>> = {
  'seed-specjbb-128g': () => loadBuiltin('seed-specjbb-128g'),
  'seed-idle-128g': () => loadBuiltin('seed-idle-128g'),
  // Chegu's 2013 guest size: 256 GiB / 20 vCPUs, a busy Java workload that ends at 600 s.
  'specjbb-256g-20vcpu': () =>
    loadScenarioValue(
      {
        name: 'specjbb-256g-20vcpu',
        guest: { memory: '256G', vcpus: 20, workload: { kind: 'specjbb', 'nonzero-memory': '200G', 'working-set': '16G', 'dirty-rate': 120000, stop: 600 } },
        migration: { profile: 'qemu-1.4', 'max-bandwidth': '20G', 'downtime-limit': 4000 },
        host: { profile: 'chegu-2012' },
        network: { 'bandwidth-gbps': 20 },
        limits: { 'max-time': 3000 },
      },
      'specjbb-256g-20vcpu',
    ),
};

function child(name: string): void {
  const sc = CASES[name]();
  const t0 = process.hrtime.bigint();
  const { result } = runMigration(sc.config);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ name, wallMs, simS: result.virtual_ns / 1e9, rssMiB, outcome: result.outcome, steps: result.steps }));
}

export function run(): void {
  const only = process.env.MIGTRACE_BENCH_CASE;
  if (only !== undefined) {
    child(only);
    return;
  }
  for (const name of Object.keys(CASES)) {
    const r = spawnSync(process.execPath, [process.argv[1]], { env: { ...process.env, MIGTRACE_BENCH_CASE: name }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(`BENCH model-${name}-wall ${(j.wallMs / 1000).toFixed(3)} s`);
    console.log(`BENCH model-${name}-simulated ${j.simS.toFixed(1)} s`);
    console.log(`BENCH model-${name}-speed ${(j.simS / (j.wallMs / 1000)).toFixed(0)} x`);
    console.log(`BENCH model-${name}-peak-rss ${j.rssMiB.toFixed(0)} MiB`);
    console.log(`BENCH model-${name}-steps-per-s ${Math.round(j.steps / (j.wallMs / 1000))} steps/s`);
  }
}
