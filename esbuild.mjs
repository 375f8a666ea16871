// Builds the bundles: the extension (VS Code extension host) and the CLI. Generated code is
// produced here too, never edited by hand. `node esbuild.mjs --production` minifies.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  loader: { '.S': 'text' },
};

const bundles = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['engine/cli/bin.ts'], outfile: 'dist/cli.js' },
  // The debug adapter: inline in the extension host, and standalone (`migtrace dap`, nvim-dap...).
  { entryPoints: ['extension/debug/adapterMain.ts'], outfile: 'dist/debugAdapter.js' },
  { entryPoints: ['engine/explore/worker.ts'], outfile: 'dist/exploreWorker.js' },
  { entryPoints: ['extension/timeline/worker.ts'], outfile: 'dist/timelineWorker.js' },
];

// The timeline renderer for webviews and reports: browser code, one IIFE, and its stylesheet.
const webview = [
  { entryPoints: ['media/main.ts'], outfile: 'dist/timeline.js', platform: 'browser', format: 'iife', target: 'chrome114' },
  { entryPoints: ['media/timeline.css'], outfile: 'dist/timeline.css', platform: 'browser' },
];

const t0 = Date.now();
execFileSync(process.execPath, ['scripts/gen-proto.mjs'], { stdio: 'inherit' });
await Promise.all([...bundles.map((b) => build({ ...common, ...b })), ...webview.map((b) => build({ ...common, ...b }))]);

// The scenario JSON Schema, from its single source (engine/scenario/schema.ts), for editors.
const schemaBundle = await build({ ...common, sourcemap: false, minify: false, entryPoints: ['engine/scenario/schema.ts'], write: false, format: 'cjs' });
const mod = { exports: {} };
new Function('module', 'exports', schemaBundle.outputFiles[0].text)(mod, mod.exports);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/scenario.schema.json', JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $id: 'migtrace-scenario', ...mod.exports.SCENARIO_SCHEMA }, null, 2) + '\n');

console.error(`built ${[...bundles.map((b) => b.outfile), ...webview.map((b) => b.outfile), 'dist/scenario.schema.json'].join(', ')} in ${Date.now() - t0} ms`);
