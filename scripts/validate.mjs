// `npm run validate`: the model-vs-reference table, then model vs real QEMU runs on this machine
// (test/validate/main.ts says the options). Bundled with esbuild first, as the shipped engine is.
// QEMU and binutils are installed from Debian's packages first with --refresh-real.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { setupQemu } from './setup-qemu.mjs';

const args = process.argv.slice(2);
// Real QEMUs run only to refresh the cached real runs (test/fixtures/real-validation).
if (args.includes('--refresh-real') && !setupQemu({ quiet: true })) process.exit(1);
mkdirSync('.tmp', { recursive: true });
await build({
  entryPoints: ['test/validate/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: '.tmp/validate.cjs',
  logLevel: 'warning',
  loader: { '.S': 'text' },
});
const r = spawnSync(process.execPath, ['.tmp/validate.cjs', ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
