// `migtrace report` as a command, through the shipped CLI: usage errors, a file that is no trace,
// the file written whole (never a half-written report under its name), and the data embedded in
// it: the same timeline the editor gets, and nothing in it that could close its script element.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadTimeline } from '../../engine/cli/timelineFiles';
import { COLUMN_NAMES, packTimeline, unpackTimeline } from '../../engine/trace/timelineData';

const dir = mkdtempSync(join(tmpdir(), 'migtrace-report-test-'));
const cli = (args: string[]) => spawnSync(process.execPath, ['bin/migtrace.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const trace = join(dir, 'fault.migtrace');

test('report: usage errors exit 2 and say what is wrong', () => {
  let r = cli(['report']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /"report" needs <trace>/);
  assert.equal(cli(['run', 'fault-link-cut', '--out', trace, '-q']).status, 5);
  r = cli(['report', trace]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /migtrace report: -o report\.html is required/);
  const junk = join(dir, 'junk.migtrace');
  writeFileSync(junk, 'not a trace');
  r = cli(['report', junk, '-o', join(dir, 'junk.html')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /junk\.migtrace: not a migtrace trace: it starts with 6e 6f 74 20 61 20 74 72, expected 89 4d 49 47 54 52 43 0a/);
  assert.ok(!existsSync(join(dir, 'junk.html')) && !existsSync(join(dir, 'junk.html.partial')), 'nothing written');
  r = cli(['report', trace, '-o', join(dir, 'no-such-dir', 'r.html')]);
  assert.notEqual(r.status, 0);
  assert.ok(!existsSync(join(dir, 'no-such-dir')));
});

test('report: one file whose embedded data is the timeline the editor gets, with no "<" that could end its script', () => {
  const out = join(dir, 'fault.html');
  const r = cli(['report', trace, '-o', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(out) && !existsSync(`${out}.partial`));
  const html = readFileSync(out, 'utf8');
  const m = /<script id="migtrace-data" type="application\/json">([^]*?)<\/script>/.exec(html);
  assert.ok(m, 'the data block');
  assert.ok(!m[1].includes('<'), 'no "<" inside the data');
  const data = JSON.parse(m[1]) as { layout: number; metas: unknown[]; divergence: null; buffers: string[]; generated: { from: string[] } };
  assert.deepEqual(data.generated.from, ['fault.migtrace']);
  const buffers = data.buffers.map((b) => {
    const u = gunzipSync(Buffer.from(b, 'base64'));
    return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength);
  });
  const embedded = unpackTimeline({ layout: data.layout, metas: data.metas as never, divergence: data.divergence, buffers });
  const direct = unpackTimeline(packTimeline(loadTimeline([trace])));
  assert.deepEqual(embedded.traces[0].meta, direct.traces[0].meta);
  for (const name of COLUMN_NAMES) assert.deepEqual(Array.from(embedded.traces[0].cols[name]), Array.from(direct.traces[0].cols[name]), name);
  // the renderer is inlined, without a source map to fetch
  assert.ok(!html.includes('sourceMappingURL'));
  assert.ok(html.includes('migtrace-app'));
  // the same trace gives the same file
  const again = join(dir, 'fault2.html');
  assert.equal(cli(['report', trace, '-o', again]).status, 0);
  assert.equal(readFileSync(again, 'utf8'), html);
});
