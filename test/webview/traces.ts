// Traces for the webview tests, recorded by the engine through the shipped CLI
// (`node bin/migtrace.js run ... --out`), once per test file, in a temporary directory; and the
// timeline as the extension host builds it, by the real worker (dist/timelineWorker.js).

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TimelineWorker } from '../../extension/timeline/workerClient';
import type { PackedTimeline } from '../../engine/trace/timelineData';

export const dir = mkdtempSync(join(tmpdir(), 'migtrace-webview-test-'));
export const ARTIFACTS = join('.tmp', 'artifacts', 'timeline');

export function cli(args: string[], timeout = 300_000): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['bin/migtrace.js', ...args], { encoding: 'utf8', timeout });
}

/** `migtrace run <scenario> --out <dir>/<file>`; checks the exit code it must have. */
export function record(file: string, args: string[], exit = 0): string {
  const out = join(dir, file);
  const r = cli(['run', ...args, '--out', out, '-q']);
  if (r.status !== exit) throw new Error(`migtrace run ${args.join(' ')} exited ${r.status}, expected ${exit}: ${r.stderr}`);
  return out;
}

/** The first seed (from 1) on which `scenario` hangs (exit code 3), and the first on which it completes. */
export function seedsOf(scenario: string, upTo = 40): { hang: number; pass: number } {
  let hang = -1;
  let pass = -1;
  for (let seed = 1; seed <= upTo && (hang < 0 || pass < 0); seed++) {
    const r = cli(['run', scenario, '--seed', String(seed), '-q']);
    if (r.status === 3 && hang < 0) hang = seed;
    if (r.status === 0 && pass < 0) pass = seed;
  }
  if (hang < 0) throw new Error(`${scenario} hangs on none of the seeds 1..${upTo} (exit code 3 expected on some: its bug should reproduce intermittently)`);
  return { hang, pass };
}


const worker = new TimelineWorker(resolve('dist'));

/** What the extension host sends the webview for these files (the worker's answer). */
export async function hostTimeline(paths: string[]): Promise<PackedTimeline> {
  const r = await worker.request({ op: 'timeline', paths });
  if (!r.ok) throw new Error(`the worker could not read ${paths.join(', ')}: ${r.message}`);
  if (r.op !== 'timeline') throw new Error('unexpected worker reply');
  return r.data;
}

export function stopWorker(): void {
  worker.dispose();
}
