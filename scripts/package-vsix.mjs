// `npm run package`: builds migtrace-<version>.vsix with @vscode/vsce from production bundles
// (minified, no source maps). The build happens in a copy of the sources (.tmp/vsix-stage), so
// the working tree's dist/ (which the tests use) is never rewritten under a running test. In the
// copy, README.md is README.marketplace.md (what the extension's page shows, with the screenshots
// the end-to-end suite makes); .vscodeignore decides what goes in. Prints the .vsix's size.
// Usage: node scripts/package-vsix.mjs [--out FILE.vsix]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(ROOT, `${pkg.name}-${pkg.version}.vsix`));
const STAGE = join(ROOT, '.tmp', 'vsix-stage');

/** What the build reads (sources, generators) and what the package shows (docs, media). */
const COPY = ['package.json', 'tsconfig.json', 'esbuild.mjs', '.vscodeignore', 'LICENSE', 'CHANGELOG.md', 'engine', 'extension', 'media', 'proto', 'scripts'];

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function run(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: STAGE, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal})`);
}

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
for (const p of COPY) {
  if (!existsSync(join(ROOT, p))) fail(`${p} is missing from ${ROOT}`);
  cpSync(join(ROOT, p), join(STAGE, p), { recursive: true, filter: (src) => !src.includes(`${'/'}node_modules`) });
}
cpSync(join(ROOT, 'README.marketplace.md'), join(STAGE, 'README.md'));
symlinkSync(join(ROOT, 'node_modules'), join(STAGE, 'node_modules'), 'dir');

run(['esbuild.mjs', '--production'], 'the production build (node esbuild.mjs --production)');
const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
if (!existsSync(vsce)) fail(`${vsce} is missing: run npm install`);
// --no-dependencies: every runtime dependency is bundled by esbuild; node_modules is not shipped.
// --no-rewrite-relative-links: the README's screenshots are files in the .vsix, shown from there.
run([vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], 'vsce package');
const bytes = statSync(out).size;
console.error(`package: ${out.startsWith(ROOT) ? out.slice(ROOT.length + 1) : out}: ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes)`);
