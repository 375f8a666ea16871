// Builds the bundles: the extension (VS Code extension host) and the CLI. Generated code is
// produced here too, never edited by hand. `node esbuild.mjs --production` minifies.
import { build } from 'esbuild';

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
};

const bundles = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['engine/cli/bin.ts'], outfile: 'dist/cli.js' },
];

const t0 = Date.now();
await Promise.all(bundles.map((b) => build({ ...common, ...b })));
console.error(`built ${bundles.map((b) => b.outfile).join(', ')} in ${Date.now() - t0} ms`);
