// Runs benchmarks under test/bench: all of them, or those named by the arguments (`kernel` runs
// kernel.bench.ts). Each benchmark is bundled with esbuild first, as the shipped code is, and run
// with --expose-gc so memory figures are taken after a full collection. Each figure is printed as
// `BENCH <name> <value> <unit>`. Benchmarks measure; they never fail on time.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { build } from 'esbuild';

const want = process.argv.slice(2);
const all = readdirSync('test/bench').filter((f) => f.endsWith('.bench.ts')).sort();
const files = all.filter((f) => want.length === 0 || want.some((w) => f.replace('.bench.ts', '') === w || f.startsWith(w)));
if (files.length === 0) {
  console.error(`no benchmark matches "${want.join(' ')}"; there are: ${all.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(2);
}
mkdirSync('.tmp/bench', { recursive: true });
let failed = 0;
for (const f of files) {
  const out = `.tmp/bench/${f.replace('.ts', '.cjs')}`;
  await build({
    stdin: { contents: `Promise.resolve(require('./test/bench/${f}').run()).catch((e) => { console.error(e); process.exit(1); });`, resolveDir: '.', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
  loader: { '.S': 'text' },
  });
  console.error(`# ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', out], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`# ${f} failed with exit code ${r.status}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
