// One "Search schedules for a hang" session, as the editor runs it: the same search as `migtrace
// explore` (worker threads from dist/exploreWorker.js, next to the extension's bundle), its result
// file and traces under the chosen folder, a cancel that stops it keeping what was found, and the
// debug configuration that opens the shrunk trace (contracts.md: {type, request, trace}). No vscode
// here, so that it runs, and is tested, outside the editor.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedScenario } from '../../engine/scenario/load';
import { targetSpecOf } from '../../engine/explore/target';
import { defaultJobs, WorkerPool } from '../../engine/explore/service';
import { search, resultPath, writeResult, SHRINK_GROUPS_DEFAULT, TRACES_PER_GROUP_DEFAULT, type SearchProgress } from '../../engine/explore/search';
import { UNSHARDED } from '../../engine/explore/shard';
import { PCT_DEPTH_DEFAULT, type SearchStrategyName } from '../../engine/explore/strategy';
import { mergeResults } from '../../engine/explore/merge';
import { formatReport, reportOf, type Report } from '../../engine/explore/report';
import { SIGNATURE_FRAMES_DEFAULT } from '../../engine/explore/signature';

export interface ExploreRequest {
  scenario: LoadedScenario;
  runs: number;
  strategy: SearchStrategyName;
  /** where the results go: <dir>/explore-<scenario> */
  dir: string;
  jobs?: number;
  workerScript?: string;
}

export interface ExploreOutcome {
  report: Report;
  text: string;
  resultFile: string;
  /** the shrunk trace of the most frequent failure, if any */
  shrunkTrace: string | null;
  interrupted: boolean;
}

export interface ExploreCancel {
  /** true once the user cancelled */
  readonly cancelled: boolean;
  onCancel(f: () => void): void;
}

export function outDirFor(dir: string, sc: LoadedScenario): string {
  return join(dir, `explore-${sc.config.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
}

export async function runExploreSession(req: ExploreRequest, progress: (p: SearchProgress) => void, cancel: ExploreCancel, clock: () => number): Promise<ExploreOutcome> {
  const target = targetSpecOf(req.scenario);
  const out = outDirFor(req.dir, req.scenario);
  mkdirSync(out, { recursive: true });
  const pool = new WorkerPool(target, req.jobs ?? defaultJobs(), req.workerScript);
  const ctl = { stopped: false };
  cancel.onCancel(() => {
    ctl.stopped = true;
    pool.cancel();
  });
  try {
    const result = await search({
      target, strategy: req.strategy, depth: PCT_DEPTH_DEFAULT, seed_first: 1, runs: req.runs, shard: UNSHARDED, until_first: false,
      out_dir: out, traces_per_group: TRACES_PER_GROUP_DEFAULT, shrink: true, shrink_groups: SHRINK_GROUPS_DEFAULT, signature_frames: SIGNATURE_FRAMES_DEFAULT,
    }, pool, ctl, { progress, clock });
    const file = resultPath(out, UNSHARDED);
    writeResult(file, result);
    const report = reportOf(mergeResults([{ file, result }]).result);
    const first = report.groups.find((g) => g.witness?.trace);
    return { report, text: formatReport(report), resultFile: file, shrunkTrace: first?.witness?.trace ?? null, interrupted: result.interrupted };
  } finally {
    await pool.close();
  }
}

/** The debug session that opens a shrunk trace (stopped at the hang by the migtrace debugger). */
export function shrunkTraceLaunch(trace: string, name: string): { type: string; request: string; name: string; trace: string } {
  return { type: 'migtrace', request: 'launch', name, trace };
}
