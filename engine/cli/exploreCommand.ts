// `migtrace explore <scenario> --runs N` and `migtrace explore-merge DIR...`: schedule search in
// worker threads with progress, hit counts and time left; Ctrl-C stops it and keeps what was found
// (a second Ctrl-C ends the runs in progress too); shards for batch systems; the merge of their
// result files. Every bad argument is one line and exit code 2 before any run starts.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CommandSpec, ParsedArgs } from './args';
import type { CliIO } from './io';
import { loadScenarioArg } from './scenarioSource';
import { ScenarioError } from '../scenario/validate';
import { search, resultPath, writeResult, SHRINK_GROUPS_DEFAULT, TRACES_PER_GROUP_DEFAULT, type SearchOptions, type SearchProgress } from '../explore/search';
import { targetSpecOf, type TargetSpec } from '../explore/target';
import { PROGRAMS, type ProgramName } from '../explore/programs';
import { PCT_DEPTH_DEFAULT, PCT_DEPTH_MAX, SEARCH_STRATEGIES, type SearchStrategyName } from '../explore/strategy';
import { resolveShard, shardLabel, ShardError } from '../explore/shard';
import { defaultJobs, WorkerPool } from '../explore/service';
import { mergeResults, MergeError, type ResultPart } from '../explore/merge';
import { formatReport, reportOf } from '../explore/report';
import { SIGNATURE_FRAMES_DEFAULT } from '../explore/signature';
import { RESULT_FORMAT, type SearchResult } from '../explore/results';
import { targetOf, type RunRecord } from '../explore/execute';
import { CLOSE_CALL_BUGS, hasCloseCall } from '../explore/closeCall';
import { formatNs } from '../sim/hangReport';
import { checkOutputPath } from './paths';
import { CliError } from './errors';

export const EXPLORE_SPEC: CommandSpec = {
  name: 'explore',
  summary: 'Search schedules for failures (hangs, data loss): group them, save their traces, shrink and explain each (exit 0 none found, 3 a hang, 4 data lost, 5 otherwise failed or interrupted).',
  positionals: [{ name: 'scenario', help: `a built-in scenario, a scenario JSON file, or a kernel program (${PROGRAMS.map((p) => `kernel:${p}`).join(', ')})` }],
  flags: [
    { name: 'runs', kind: 'int', value: 'N', help: 'schedules to run (seeds first .. first+N-1); required' },
    { name: 'strategy', kind: 'string', value: 'random|pct|guided', help: 'random choice at every decision (default); PCT (priorities with depth-1 change points over the run\'s decisions); or guided: each seed\'s default schedule, changed one decision at a time inside the danger of a bug that has a closest-call measure (seed-stage3-hang\'s aa723c23147e), where the thread that got away ran' },
    { name: 'depth', kind: 'int', value: 'D', help: `PCT's bug depth d (default ${PCT_DEPTH_DEFAULT}): d-1 priority change points` },
    { name: 'pct-k', kind: 'int', value: 'K', help: 'PCT: the decisions change points are drawn over (default: measured on the default schedule of the first seed)' },
    { name: 'seed', kind: 'int', value: 'S', help: 'first seed (default 1)' },
    { name: 'jobs', kind: 'int', value: 'J', short: 'j', help: 'worker threads (default: the number of cores)' },
    { name: 'out-dir', kind: 'string', value: 'DIR', help: 'where failing runs\' traces, shrunk traces and the result file go (default explore-<scenario>)' },
    { name: 'shard', kind: 'string', value: 'i/n', help: 'run shard i of n (0 <= i < n) of the seeds; also read from JOB_COMPLETION_INDEX (Kubernetes Indexed Job, with --shards) or SLURM_ARRAY_TASK_ID (Slurm array)' },
    { name: 'shards', kind: 'int', value: 'N', help: 'the number of shards, the index coming from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID' },
    { name: 'until-first', kind: 'bool', help: 'stop at the first failing seed' },
    { name: 'no-shrink', kind: 'bool', help: 'do not shrink and explain the failures' },
    { name: 'traces', kind: 'int', value: 'N', help: `failing runs saved as traces per failure group (default ${TRACES_PER_GROUP_DEFAULT})` },
    { name: 'signature-frames', kind: 'int', value: 'N', help: `top frames of each thread in a failure's signature (default ${SIGNATURE_FRAMES_DEFAULT})` },
    { name: 'set', kind: 'repeat', value: 'KEY=VALUE', help: 'override a scenario field, e.g. --set guest.memory=\'"512M"\'' },
    { name: 'json', kind: 'bool', help: 'print the report as one JSON object on stdout' },
    { name: 'batch', kind: 'bool', help: 'exit 0 once the search ran, whatever it found (so a batch system does not retry a shard that found a hang); the result file says what was found' },
    { name: 'quiet', kind: 'bool', short: 'q', help: 'no progress on stderr' },
  ],
};

export const EXPLORE_MERGE_SPEC: CommandSpec = {
  name: 'explore-merge',
  summary: 'Merge the result files of explore shards (directories or files) into the report one machine would give.',
  positionals: [{ name: 'dir', help: 'a directory holding explore-*.json result files, or a result file', variadic: true }],
  flags: [
    { name: 'out', kind: 'string', value: 'FILE', help: 'also write the merged result to FILE (JSON)' },
    { name: 'json', kind: 'bool', help: 'print the report as one JSON object on stdout' },
  ],
};

class BadArgument extends Error {}

function bad(message: string): never {
  throw new BadArgument(message);
}

function oneLine(e: ScenarioError): string {
  return `${e.source}: invalid scenario: ${e.problems.map((p) => `${p.path || '(top level)'}: ${p.message}`).join('; ')}`;
}

function targetOfArg(arg: string, sets: string[]): TargetSpec {
  if (arg.startsWith('kernel:')) {
    const name = arg.slice('kernel:'.length);
    if (!PROGRAMS.includes(name as ProgramName)) bad(`no kernel program "${name}"; there are: ${PROGRAMS.join(', ')}`);
    if (sets.length > 0) bad('--set applies to migration scenarios, not kernel programs');
    return { kind: 'program', name: name as ProgramName };
  }
  return targetSpecOf(loadScenarioArg(arg, sets));
}

/**
 * Creates DIR and its missing parents one by one (Node's recursive mkdir never returns for some
 * paths under /proc) and proves a file can be written there.
 */
function writableDir(dir: string): void {
  try {
    const missing: string[] = [];
    for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
      missing.push(d);
      if (dirname(d) === d) break;
    }
    for (const d of missing.reverse()) mkdirSync(d);
    if (!statSync(dir).isDirectory()) bad(`--out-dir ${dir} is not a directory`);
    const probe = join(dir, `.migtrace-explore-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    if (e instanceof BadArgument) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    bad(`--out-dir ${dir} cannot be written${code ? ` (${code})` : ''}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`);
  }
}

function optionsOf(a: ParsedArgs, env: Record<string, string | undefined>): { o: SearchOptions; jobs: number } {
  const f = a.flags;
  const runs = f.runs as number | undefined;
  if (runs === undefined) bad('--runs N is required (how many schedules to run)');
  if (runs < 1) bad(`--runs must be at least 1, got ${runs}`);
  const strategy = (f.strategy as string | undefined) ?? 'random';
  if (!SEARCH_STRATEGIES.includes(strategy as SearchStrategyName)) bad(`unknown strategy "${strategy}": use ${SEARCH_STRATEGIES.join(' or ')}`);
  const depth = f.depth as number | undefined;
  const k = f['pct-k'] as number | undefined;
  if (strategy !== 'pct' && (depth !== undefined || k !== undefined)) bad('--depth and --pct-k apply to --strategy pct');
  if (depth !== undefined && (depth < 1 || depth > PCT_DEPTH_MAX)) bad(`--depth must be 1..${PCT_DEPTH_MAX}, got ${depth}`);
  if (k !== undefined && k < 1) bad(`--pct-k must be at least 1, got ${k}`);
  const jobs = (f.jobs as number | undefined) ?? defaultJobs();
  if (jobs < 1) bad(`--jobs must be at least 1, got ${jobs}`);
  const seed = (f.seed as number | undefined) ?? 1;
  if (seed < 0) bad(`--seed must be non-negative, got ${seed}`);
  if (!Number.isSafeInteger(seed + runs)) bad(`--seed ${seed} with --runs ${runs} passes the largest seed`);
  const traces = (f.traces as number | undefined) ?? TRACES_PER_GROUP_DEFAULT;
  if (traces < 0) bad(`--traces must be non-negative, got ${traces}`);
  const frames = (f['signature-frames'] as number | undefined) ?? SIGNATURE_FRAMES_DEFAULT;
  if (frames < 1) bad(`--signature-frames must be at least 1, got ${frames}`);
  let shard;
  try {
    shard = resolveShard(f.shard as string | undefined, f.shards as number | undefined, env);
  } catch (e) {
    if (e instanceof ShardError) bad(e.message);
    throw e;
  }
  let target: TargetSpec;
  try {
    target = targetOfArg(a.positionals[0], (f.set as string[] | undefined) ?? []);
  } catch (e) {
    if (e instanceof ScenarioError) bad(oneLine(e));
    throw e;
  }
  const name = target.kind === 'program' ? `kernel-${target.name}` : JSON.parse(target.scenario_json).name as string;
  if (strategy === 'guided' && !hasCloseCall(targetOf(target).bugs)) bad(`--strategy guided needs a bug whose mechanism measures how near a run came to failing (${CLOSE_CALL_BUGS.join(', ')}); ${name} has none: use random or pct`);
  const outDir = (f['out-dir'] as string | undefined) ?? `explore-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  writableDir(outDir);
  return {
    o: {
      target, strategy: strategy as SearchStrategyName, depth: depth ?? PCT_DEPTH_DEFAULT, decisions_max: k, seed_first: seed, runs, shard,
      until_first: Boolean(f['until-first']), out_dir: outDir, traces_per_group: traces, shrink: !f['no-shrink'], shrink_groups: SHRINK_GROUPS_DEFAULT, signature_frames: frames,
    },
    jobs,
  };
}


function exitCodeOf(r: SearchResult): number {
  const kinds = new Set(r.groups.map((g) => g.kind));
  if (['deadlock', 'lost-wakeup', 'all-blocked', 'no-progress'].some((k) => kinds.has(k as never))) return 3;
  if (kinds.has('data-loss')) return 4;
  if (kinds.size > 0 || r.interrupted) return 5;
  return 0;
}

function bar(done: number, total: number, width = 24): string {
  const n = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export async function exploreCommand(a: ParsedArgs, io: CliIO, clock: () => number, env: Record<string, string | undefined> = process.env): Promise<number> {
  let o: SearchOptions;
  let jobs: number;
  try {
    ({ o, jobs } = optionsOf(a, env));
  } catch (e) {
    if (e instanceof BadArgument) {
      io.err(`migtrace explore: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const quiet = Boolean(a.flags.quiet);
  const pool = new WorkerPool(o.target, jobs);
  const ctl = { stopped: false };
  let sigints = 0;
  const onSigint = (): void => {
    sigints++;
    if (sigints === 1) {
      ctl.stopped = true;
      pool.cancel();
      io.progress('');
      io.err('migtrace explore: stopping; the runs in progress finish and what was found is kept (Ctrl-C again to end them now)');
    } else {
      void pool.close();
    }
  };
  process.on('SIGINT', onSigint);
  const started = clock();
  let lastShown = 0;
  const show = (p: SearchProgress): void => {
    if (quiet) return;
    const now = clock();
    if (p.phase === 'search' && p.done < p.total && now - lastShown < (io.isTTY ? 200 : 2000)) return;
    lastShown = now;
    if (p.phase !== 'search') {
      if (p.message) io.progress(`explore ${p.phase}: ${p.message}`);
      return;
    }
    const s = (now - started) / 1000;
    const rate = s > 0 ? p.done / s : 0;
    const left = rate > 0 ? Math.round((p.total - p.done) / rate) : 0;
    io.progress(`explore ${bar(p.done, p.total)} ${p.done}/${p.total} runs, ${p.failures} failing in ${p.groups} group${p.groups === 1 ? '' : 's'}, ${rate.toFixed(1)} runs/s${p.done < p.total ? `, ~${left} s left` : ''}`);
  };
  const newGroup = (r: RunRecord): void => {
    if (quiet || r.failure === null) return;
    io.progress('');
    io.err(`migtrace explore: seed ${r.seed}: ${r.failure.kind}${r.hang ? ` at t=${formatNs(r.hang.time_ns)}: ${r.hang.summary}` : `: ${r.reason}`} (group ${r.failure.group})`);
  };
  let result: SearchResult;
  try {
    if (!quiet) io.err(`migtrace explore: ${o.runs} runs of ${o.target.kind === 'program' ? `kernel:${o.target.name}` : o.target.source}, ${o.strategy}, ${shardLabel(o.shard)}, ${jobs} worker${jobs === 1 ? '' : 's'}; results in ${o.out_dir}`);
    result = await search(o, pool, ctl, { progress: show, newGroup, clock });
  } finally {
    process.removeListener('SIGINT', onSigint);
    await pool.close();
  }
  if (!quiet) io.progress('');
  const file = resultPath(o.out_dir as string, o.shard);
  writeResult(file, result);
  const merged = mergeResults([{ file, result }]).result;
  const report = reportOf(merged);
  if (a.flags.json) io.out(JSON.stringify({ ...report, 'result-file': file, shard: result.shard, wall: result.wall }));
  else {
    io.out(formatReport(report));
    io.out('');
    io.out(`result: ${file} (${shardLabel(result.shard)}; ${result.wall.runs_per_s.toFixed(1)} runs/s on ${result.wall.jobs} worker${result.wall.jobs === 1 ? '' : 's'}, ${result.wall.seconds.toFixed(1)} s)`);
  }
  return a.flags.batch ? 0 : exitCodeOf(result);
}

function resultFilesOf(arg: string): string[] {
  let st;
  try {
    st = statSync(arg);
  } catch {
    bad(`${arg}: no such file or directory`);
  }
  if (!st.isDirectory()) return [arg];
  const files = readdirSync(arg).filter((f) => /^explore-.*\.json$/.test(f)).sort().map((f) => join(arg, f));
  if (files.length === 0) bad(`${arg}: no explore result files (explore-*.json) in this directory`);
  return files;
}

function readResult(file: string): SearchResult {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    bad(`${file}: not a migtrace explore result (${e instanceof SyntaxError ? 'not JSON' : (e as Error).message})`);
  }
  const r = v as Partial<SearchResult> | null;
  if (r === null || typeof r !== 'object' || r.format !== RESULT_FORMAT || !Array.isArray(r.results) || !Array.isArray(r.groups) || typeof r.target !== 'object' || r.target === null || r.seeds === undefined) {
    bad(`${file}: not a migtrace explore result (no "format": "${RESULT_FORMAT}" with results and groups)`);
  }
  return r as SearchResult;
}

export async function exploreMergeCommand(a: ParsedArgs, io: CliIO): Promise<number> {
  let parts: ResultPart[];
  let merged;
  const out = a.flags.out as string | undefined;
  try {
    const files = a.positionals.flatMap(resultFilesOf);
    if (out !== undefined) checkOutputPath({ path: out, what: '--out' }, files.map((file) => ({ path: file, what: '<result>' })));
    parts = files.map((file) => ({ file, result: readResult(file) }));
    merged = mergeResults(parts);
  } catch (e) {
    if (e instanceof BadArgument || e instanceof MergeError || e instanceof CliError) {
      io.err(`migtrace explore-merge: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const report = reportOf(merged.result);
  if (out !== undefined) writeResult(out, merged.result);
  if (a.flags.json) io.out(JSON.stringify({ ...report, parts: merged.parts, missing: merged.missing, duplicates: merged.duplicates }));
  else {
    io.out(formatReport(report));
    io.out('');
    io.out(`merged ${merged.parts.length} result file${merged.parts.length === 1 ? '' : 's'}: ${merged.parts.map((p) => `${p.file} (shard ${p.shard}, ${p.runs} runs)`).join(', ')}`);
    if (merged.duplicates > 0) io.out(`${merged.duplicates} seed${merged.duplicates === 1 ? '' : 's'} held by more than one file, counted once`);
    if (merged.missing > 0) io.out(`${merged.missing} seed${merged.missing === 1 ? '' : 's'} of the search did not run (a shard missing or interrupted)`);
  }
  return exitCodeOf(merged.result);
}

export function exploreCommands(clock: () => number): { spec: CommandSpec; run(a: ParsedArgs, io: CliIO): Promise<number> }[] {
  return [
    { spec: EXPLORE_SPEC, run: (a, io) => exploreCommand(a, io, clock) },
    { spec: EXPLORE_MERGE_SPEC, run: exploreMergeCommand },
  ];
}
