// `migtrace report F.migtrace -o report.html [--compare G.migtrace]`: one self-contained HTML file
// that any browser opens with no network: the timeline (the same renderer as the editor's,
// dist/timeline.js, inlined), guestperf-style charts and tables of the outcome, locks, hang and
// scenario. The timeline's columns are embedded gzip'd and base64'd inside a JSON script block
// (never executed; `<` escaped, so nothing in a trace can close it), under a CSP that allows only
// the page's own inline script and style (by a nonce derived from the content, so the same trace
// gives the same file).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packTimeline, type Timeline } from '../trace/timelineData';
import { ENGINE_VERSION } from '../version';
import { UsageError, type CommandSpec, type ParsedArgs } from './args';
import type { CliIO } from './io';
import { withOutput } from './fileSink';
import { checkInputFile, checkOutputPath, type PathArg } from './paths';
import { EXIT } from './errors';
import { loadTimeline } from './timelineFiles';

export const REPORT_SPEC: CommandSpec = {
  name: 'report',
  summary: 'Write one self-contained HTML file (no network needed) with the trace\'s timeline, progress charts and its outcome, locks, hang and scenario.',
  positionals: [{ name: 'trace', help: 'a .migtrace file' }],
  flags: [
    { name: 'out', short: 'o', kind: 'string', value: 'report.html', help: 'the HTML file to write (required)' },
    { name: 'compare', kind: 'string', value: 'G.migtrace', help: 'a second trace shown on the same time axis (the model run of a real one, as `run --compare` writes it, or another seed), with the first divergence marked' },
  ],
};

/** dist/timeline.js and dist/timeline.css, found from wherever this code runs (dist/cli.js, a test bundle). */
export function rendererAssets(): { script: string; style: string } {
  for (let d = __dirname, i = 0; i < 6; i++, d = dirname(d)) {
    for (const dir of [d, join(d, 'dist')]) {
      const js = join(dir, 'timeline.js');
      const css = join(dir, 'timeline.css');
      if (existsSync(js) && existsSync(css)) {
        return {
          // no source map comment: a report is read offline, and must not ask for a file
          script: readFileSync(js, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
          style: readFileSync(css, 'utf8').replace(/\/\*# sourceMappingURL=\S+\s*\*\/\s*$/, ''),
        };
      }
    }
  }
  throw new UsageError('the timeline renderer (dist/timeline.js, dist/timeline.css) is missing: run `npm run build`');
}

/** The page: the renderer, its stylesheet and the data, each where the CSP allows it. */
export function reportHtml(tl: Timeline, from: string[], assets: { script: string; style: string }): string {
  const packed = packTimeline(tl);
  const data = {
    layout: packed.layout,
    metas: packed.metas,
    divergence: packed.divergence,
    buffers: packed.buffers.map((b) => gzipSync(new Uint8Array(b), { level: 6 }).toString('base64')),
    generated: { by: `migtrace ${ENGINE_VERSION} report`, from },
  };
  // inside <script type="application/json">: only "</script" could end it, so no "<" at all
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const script = assets.script.replace(/<\/(script)/gi, '<\\/$1');
  const style = assets.style.replace(/<\/(style)/gi, '<\\/$1');
  const nonce = createHash('sha256').update(json).update(script).update(style).digest('base64').slice(0, 24);
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en" class="mt-report-page">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="migtrace ${ENGINE_VERSION}">
<title>migtrace report</title>
<style nonce="${nonce}">${style}</style>
</head>
<body>
<main id="migtrace-app"></main>
<script id="migtrace-data" type="application/json">${json}</script>
<script nonce="${nonce}">${script}</script>
</body>
</html>
`;
}

export function reportCommand(a: ParsedArgs, io: CliIO): number {
  const out = a.flags.out as string | undefined;
  if (out === undefined) throw new UsageError('-o report.html is required', 'report');
  const paths = [a.positionals[0], ...(a.flags.compare !== undefined ? [a.flags.compare as string] : [])];
  // Inputs and the output are checked before any work; the output never overwrites an input.
  const inputs: PathArg[] = paths.map((path, i) => ({ path, what: i === 0 ? '<trace>' : '--compare' }));
  for (const inp of inputs) checkInputFile(inp, 'a .migtrace file');
  checkOutputPath({ path: out, what: '-o' }, inputs);
  const assets = rendererAssets();
  const tl = loadTimeline(paths);
  let damaged = false;
  for (const [i, t] of tl.traces.entries()) {
    if (t.meta.stopped === null) continue;
    damaged = true;
    const reason = t.meta.stopped.reason;
    io.err(`migtrace report: ${paths[i]} is ${/^damaged: /.test(reason) ? `damaged: ${reason.replace(/^damaged: /, '')}` : `incomplete: ${reason}`}; the report shows the ${t.meta.events} events it holds`);
  }
  const html = reportHtml(tl, paths.map((p) => basename(p)), assets);
  const bytes = withOutput(out, (put) => put(html), '-o', inputs);
  const what = tl.traces.map((t) => `${t.meta.label} ${t.meta.file} (${t.meta.events} events)`).join(' beside ');
  io.out(`wrote ${out}: ${what}, ${bytes} bytes; it opens in any browser, offline`);
  return damaged ? EXIT.damaged : EXIT.ok;
}
