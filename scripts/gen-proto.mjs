// Generates the protobuf code from proto/ (static code: no reflection and no Function(), so it runs
// under a webview's CSP) into engine/trace/gen/. Run by esbuild.mjs; never edit the output.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const cliDir = dirname(require.resolve('protobufjs-cli/package.json'));
const pbjs = join(cliDir, 'bin', 'pbjs');
const pbts = join(cliDir, 'bin', 'pbts');

const targets = [
  { proto: 'proto/migtrace.proto', out: 'engine/trace/gen/migtrace.js' },
  { proto: 'proto/perfetto/perfetto_trace_subset.proto', out: 'engine/trace/gen/perfetto.js' },
];

mkdirSync('engine/trace/gen', { recursive: true });
for (const t of targets) {
  const dts = t.out.replace(/\.js$/, '.d.ts');
  const fresh = existsSync(t.out) && existsSync(dts) && statSync(t.out).mtimeMs >= statSync(t.proto).mtimeMs && statSync(t.out).mtimeMs >= statSync(new URL(import.meta.url)).mtimeMs;
  if (fresh) continue;
  execFileSync(process.execPath, [pbjs, '-t', 'static-module', '-w', 'commonjs', '--force-number', '--keep-case', '--no-create', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service', '--no-comments', '-o', t.out, t.proto], { stdio: 'inherit' });
  // pbts reads the JSDoc that pbjs writes; generate with comments once for the types.
  const withDocs = t.out.replace(/\.js$/, '.docs.tmp.js');
  execFileSync(process.execPath, [pbjs, '-t', 'static-module', '-w', 'commonjs', '--force-number', '--keep-case', '--no-create', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--no-service', '-o', withDocs, t.proto], { stdio: 'inherit' });
  execFileSync(process.execPath, [pbts, '--no-comments', '-o', dts, withDocs], { stdio: 'inherit' });
  execFileSync('rm', ['-f', withDocs]);
  console.error(`generated ${t.out} and ${dts} from ${t.proto}`);
}
