// `npm run validate`: the model-vs-reference table, one VALIDATE line per figure (test/validate).
// Bundled with esbuild first, as the shipped engine is. Exit code 1 if a figure is out of tolerance.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('.tmp', { recursive: true });
await build({
  stdin: {
    contents: `const c = require('./test/validate/cases.ts'); let bad = 0; for (const r of c.allCases()) { console.log(c.formatRow(r)); if (!c.rowOk(r) && !r.known_miss) bad++; } process.exitCode = bad ? 1 : 0;`,
    resolveDir: '.',
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: '.tmp/validate.cjs',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['.tmp/validate.cjs', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
