// The look-ahead (engine/runtime/lookAhead.ts) through a real DAP session: "next iteration",
// "next stage" and "continue" through a stretch the look-ahead has already run land on the very stops a session
// without it reaches by simulating (same description, same stacks, variables and state hash),
// whether the look-ahead has run the whole migration, is partway, or is racing the user; with a
// breakpoint set, it stays out of the way; and a session that records writes the same file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inMemoryClient, startSession, type DapClient } from './dapClient';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, SMALL } from './scenarios';
import { picture } from './stopPicture';

interface Stop { description: string; picture: string }

const dir = mkdtempSync(join(tmpdir(), 'migtrace-look-'));

async function session(lookAhead: boolean, extra: Record<string, unknown> = { scenario: SMALL }): Promise<{ c: DapClient }> {
  const c = inMemoryClient();
  await startSession(c, { stopOnEntry: true, lookAhead, ...extra });
  await c.waitEvent('stopped');
  return { c };
}

async function lookAhead(c: DapClient): Promise<string> {
  return (await c.ok('evaluate', { expression: 'look-ahead', context: 'repl' })).result as string;
}

/** Waits until the look-ahead has run the whole migration. */
async function whole(c: DapClient): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if ((await lookAhead(c)).startsWith('ran the whole run')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`the look-ahead did not finish: ${await lookAhead(c)}`);
}

/** `tid` if it has a frame to read the scopes of, else the first thread that has one (at the end, the migration thread has returned). */
async function withFrames(c: DapClient, tid: number): Promise<number> {
  if ((await c.ok('stackTrace', { threadId: tid })).stackFrames.length > 0) return tid;
  for (const th of (await c.ok('threads')).threads) if ((await c.ok('stackTrace', { threadId: th.id })).stackFrames.length > 0) return th.id as number;
  assert.fail('no thread has a frame');
}

/**
 * Presses `command` until the run ends (a stop whose reason is not "step", or whatever `ends`
 * says), with `pause(i)` ms of looking before each press; each stop's description after `prefix`.
 */
async function walk(c: DapClient, command: string, pause: (i: number) => number, ends = (reason: string) => reason !== 'step', max = 200, prefix = ''): Promise<Stop[]> {
  const out: Stop[] = [];
  for (let i = 0; i < max; i++) {
    const ms = pause(i);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    await c.ok(command, { threadId: 1 });
    const st = await c.waitEvent('stopped');
    out.push({ description: `${prefix}${st.body.description as string}`, picture: await picture(c, await withFrames(c, st.body.threadId as number)) });
    c.drain('migtrace/stopped');
    if (ends(st.body.reason as string)) return out;
  }
  assert.fail(`${command} never reached the ${command === 'reverseContinue' ? 'start' : 'end'} of the run`);
}

function same(got: Stop[], want: Stop[], what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} stops, without the look-ahead ${want.length}: ${got.map((s) => s.description).join(' | ')}`);
  for (let i = 0; i < want.length; i++) {
    assert.equal(got[i].description, want[i].description, `${what}: stop ${i}`);
    assert.equal(got[i].picture, want[i].picture, `${what}: stop ${i} (${want[i].description}) differs from the same stop reached without the look-ahead`);
  }
}

// SMALL (2 GiB, a few rounds), seed-specjbb-128g (ten rounds, 2.5 M steps), a multifd run that
// hangs on its seed, and auto-converge under TCG (the throttle, syncs that wait for the vCPUs).
const RUNS: [string, Record<string, unknown>][] = [
  ['small-2g', { scenario: SMALL }],
  ['seed-specjbb-128g', { scenario: 'seed-specjbb-128g' }],
  ['multifd-sync-hang seed 5', { scenario: 'multifd-sync-hang', seed: 5 }],
  ['auto-converge under TCG (qtest-bootblock)', { scenario: 'qtest-bootblock', set: ['migration.capabilities={"auto-converge":true}', 'migration.max-bandwidth="1G"', 'migration.downtime-limit=30', 'limits.max-time=5'] }],
];

for (const [name, run] of RUNS) {
  for (const command of ['migtrace/nextIteration', 'migtrace/nextStage', 'continue']) {
    test(`${name}: ${command} with the look-ahead lands where the session without it does`, async () => {
      const plain = await session(false, run);
      const want = await walk(plain.c, command, () => 0);
      assert.match(await lookAhead(plain.c), /^off/);
      await plain.c.close();
      assert.ok(want.length >= (command === 'continue' ? 1 : 3), `too few stops to compare: ${want.map((s) => s.description).join(' | ')}`);

      // The look-ahead has run the whole migration: every press is a restore.
      const ahead = await session(true, run);
      await whole(ahead.c);
      same(await walk(ahead.c, command, () => 0), want, 'after the look-ahead ran the whole run');
      await ahead.c.close();

      // Racing the user: pressed at once, and after a few ms of looking now and then.
      const race = await session(true, run);
      same(await walk(race.c, command, (i) => [0, 3, 0, 15, 1][i % 5]), want, 'racing the look-ahead');
      await race.c.close();
    });
  }
}

/** Each move's stop as a user sees it, in a session with the look-ahead (`wait`: once it has run the whole run) or without. */
async function stopsOf(on: boolean, wait: boolean, run: Record<string, unknown>, moves: [string, object][]): Promise<string[]> {
  const { c } = await session(on, run);
  if (on && wait) await whole(c);
  const got: string[] = [];
  for (const [cmd, args] of moves) {
    await c.ok(cmd, args);
    const st = await c.waitEvent('stopped');
    got.push(`${cmd} ${JSON.stringify(args)}: ${st.body.reason} ${st.body.description ?? ''} @ ${await picture(c, await withFrames(c, st.body.threadId as number))}`);
  }
  await c.close();
  return got;
}

test('step back, reverse continue and step over right after stops the look-ahead gave (a session kernel that has only been restored) land as without it', async () => {
  const moves: [string, object][] = [['migtrace/nextStage', {}], ['migtrace/nextStage', {}], ['migtrace/nextIteration', {}], ['stepBack', { threadId: 1 }], ['migtrace/nextIteration', {}], ['next', { threadId: 1 }], ['migtrace/nextIteration', {}], ['reverseContinue', { threadId: 1 }]];
  assert.deepEqual(await stopsOf(true, true, { scenario: SMALL }, moves), await stopsOf(false, false, { scenario: SMALL }, moves));
});

test('go to time ahead of the look-ahead (it runs there in place of the session) and behind it lands as without it', async () => {
  const moves: [string, object][] = [300e9, 120e9, 480e9, 5e9, 530e9].map((t) => ['migtrace/goToTime', { time_ns: t }]);
  const run = { scenario: 'seed-specjbb-128g' };
  assert.deepEqual(await stopsOf(true, false, run, moves), await stopsOf(false, false, run, moves));
});

test('with a breakpoint set, next stage stops at the breakpoint on the way, as without the look-ahead', async () => {
  const stops: string[][] = [];
  for (const on of [false, true]) {
    const s = await session(on);
    if (on) await whole(s.c);
    await s.c.ok('setFunctionBreakpoints', { breakpoints: [{ name: 'migration_bitmap_sync' }] });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      await s.c.ok('migtrace/nextStage', {});
      const st = await s.c.waitEvent('stopped');
      seen.push(`${st.body.reason}: ${st.body.description} @ ${await picture(s.c, await withFrames(s.c, st.body.threadId as number))}`);
      if (st.body.reason === 'exception' || st.body.reason === 'end') break;
    }
    stops.push(seen);
    await s.c.close();
  }
  assert.ok(stops[0].some((x) => x.startsWith('function breakpoint')), `the breakpoint never stopped the run: ${stops[0].join(' | ')}`);
  assert.deepEqual(stops[1], stops[0]);
});

/** The source reference of `fn`'s listing, from a frame it is in (the session stands where the caller put it). */
async function listingOf(c: DapClient, fn: string): Promise<number> {
  for (const th of (await c.ok('threads')).threads) {
    for (const f of (await c.ok('stackTrace', { threadId: th.id })).stackFrames) if (f.name === fn) return f.source.sourceReference as number;
  }
  assert.fail(`no frame is in ${fn}`);
}

/**
 * Breakpoints the look-ahead's blocks (blockSummary.ts) can pass, of each kind: a function
 * breakpoint with a hit count, a stage breakpoint, a statement breakpoint and a log point in a
 * listing; `bql` adds a lock breakpoint with a condition (the BQL is taken everywhere: nothing to pass).
 */
async function breakpoints(c: DapClient, bql: boolean, every: number): Promise<void> {
  // Two next stages put a frame in migrate_fd_put_ready (once a round, under the RFC's design).
  for (let i = 0; i < 2; i++) {
    await c.ok('migtrace/nextStage', {});
    await c.waitEvent('stopped');
  }
  const fns = [{ name: 'migration_bitmap_sync', hitCondition: '% 2' }, { name: 'stage:complete' }, ...(bql ? [{ name: 'lock:bql', condition: 'wait > 20ms', hitCondition: `% ${25 * every}` }] : [])];
  for (const b of (await c.ok('setFunctionBreakpoints', { breakpoints: fns })).breakpoints) assert.equal(b.verified, true, b.message);
  const ref = await listingOf(c, 'migrate_fd_put_ready');
  const lines = await c.ok('setBreakpoints', { source: { name: 'migrate_fd_put_ready.c', sourceReference: ref }, breakpoints: [{ line: 2, logMessage: 'round {dirty-sync-count}: remaining {remaining}' }, { line: 7, hitCondition: `% ${3 * every}` }] });
  for (const b of lines.breakpoints) assert.equal(b.verified, true, b.message);
  c.drain('migtrace/stopped');
  c.drain('output');
}

/** `command` pressed until the run ends, each stop as a user sees it, and what the log points printed. */
async function walkLogged(c: DapClient, command: string, pause: (i: number) => number): Promise<{ stops: Stop[]; log: string[] }> {
  const stops = await walk(c, command, pause, (reason) => reason === 'end' || reason === 'exception', 400);
  const log = c.drain('output').map((e) => e.body.output as string).filter((o) => o.startsWith('round '));
  // Then back from the end by reverse continue to the start (hit counts and log points do not stop going back).
  stops.push(...(await walk(c, 'reverseContinue', () => 0, (reason) => reason === 'entry', 400, 'back: ')));
  return { stops, log };
}

// (Hit counts thinned on seed-specjbb-128g, whose rounds are many more: a few dozen stops each way.)
for (const [name, run, every] of [[...RUNS[0], 1], [...RUNS[1], 100]] as [string, Record<string, unknown>, number][]) {
  for (const bql of [false, true]) {
    for (const command of ['continue', 'migtrace/nextIteration']) {
      test(`${name}: ${command} with function, stage, statement${bql ? ', lock' : ''} breakpoints and a log point, then reverse continue back to the start, with the look-ahead, stops and logs as the session without it`, async () => {
        const plain = await session(false, run);
        await breakpoints(plain.c, bql, every);
        const want = await walkLogged(plain.c, command, () => 0);
        await plain.c.close();
        const kinds = want.stops.map((st) => st.description).join(' | ');
        assert.match(kinds, /function breakpoint migration_bitmap_sync/, 'the function breakpoint never stopped the run');
        assert.match(kinds, /migrate_fd_put_ready/, 'the statement breakpoint never stopped the run');
        assert.match(kinds, /back: Paused on (function breakpoint|stage:complete)/, 'reverse continue never stopped on a breakpoint');
        assert.ok(want.log.length >= 2, `the log point (on a statement that only decides where to go, run inside the next one's step) printed ${want.log.length} lines`);

        const ahead = await session(true, run);
        await whole(ahead.c);
        await breakpoints(ahead.c, bql, every);
        const got = await walkLogged(ahead.c, command, () => 0);
        same(got.stops, want.stops, 'after the look-ahead ran the whole run');
        assert.deepEqual(got.log, want.log, 'the log point, after the look-ahead ran the whole run');
        await ahead.c.close();

        const race = await session(true, run);
        await breakpoints(race.c, bql, every);
        const raced = await walkLogged(race.c, command, (i) => [0, 3, 0, 15, 1][i % 5]);
        same(raced.stops, want.stops, 'racing the look-ahead');
        assert.deepEqual(raced.log, want.log, 'the log point, racing the look-ahead');
        await race.c.close();
      });
    }
  }
}

test('replaying a recorded trace, the look-ahead follows its decisions: next iteration lands where it does without', async () => {
  const trace = join(dir, 'small.migtrace');
  const r = spawnSync(process.execPath, [CLI, 'run', SMALL, '--out', trace, '-q'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const plain = await session(false, { trace });
  const want = await walk(plain.c, 'migtrace/nextIteration', () => 0);
  await plain.c.close();
  const ahead = await session(true, { trace });
  await whole(ahead.c);
  same(await walk(ahead.c, 'migtrace/nextIteration', () => 0), want, 'a trace, after the look-ahead ran it');
  await ahead.c.close();
});

for (const [name, run, cliArgs] of [
  ['small-2g', { scenario: SMALL }, [SMALL]],
  ['multifd-sync-hang seed 5 (a hang)', { scenario: 'multifd-sync-hang', seed: 5 }, ['multifd-sync-hang', '--seed', '5']],
] as [string, Record<string, unknown>, string[]][]) {
  test(`${name}: a session that records, with the look-ahead, writes the file \`migtrace run --out\` writes (the look-ahead alone, and racing the user)`, async () => {
    const straight = join(dir, `${name.split(' ')[0]}-straight.migtrace`);
    const r = spawnSync(process.execPath, [CLI, 'run', ...cliArgs, '--out', straight, '-q'], { encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 3, r.stderr);
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    // The user only looks: the look-ahead runs the whole migration and finishes the file.
    const alone = join(dir, `${name.split(' ')[0]}-alone.migtrace`);
    const a = await session(true, { ...run, record: alone });
    await whole(a.c);
    assert.ok(existsSync(alone), 'the look-ahead ran the whole run but the recording is not complete');
    await a.c.close();
    assert.equal(sha(alone), sha(straight), 'the recording the look-ahead wrote differs from migtrace run --out');
    // The user moves about (forward past the look-ahead, back, forward again) while it runs.
    const raced = join(dir, `${name.split(' ')[0]}-raced.migtrace`);
    const b = await session(true, { ...run, record: raced });
    for (const [cmd, args] of [['migtrace/nextStage', {}], ['migtrace/nextIteration', {}], ['next', { threadId: 1 }], ['stepBack', { threadId: 1 }], ['migtrace/goToTime', { time_ns: 1e9 }], ['migtrace/nextStage', {}], ['continue', { threadId: 1 }]] as [string, object][]) {
      await b.c.ok(cmd, args);
      await b.c.waitEvent('stopped');
    }
    await whole(b.c);
    await b.c.close();
    assert.equal(sha(raced), sha(straight), 'the recording made racing the look-ahead differs from migtrace run --out');
  });
}

test('a long next stage run by the look-ahead reports progress; cancelling it stops the session where the look-ahead got to, a state it steps and replays from', async () => {
  // chegu-256g never converges: with a 100,000 s limit its iterative stage runs for many minutes.
  const { c } = await session(true, { scenario: 'chegu-256g', seed: 1, set: ['limits.max-time=100000'] });
  try {
    let from = 0;
    for (let i = 0; i < 4; i++) {
      await c.ok('migtrace/nextStage', {});
      const st = await c.waitEvent('stopped');
      from = (await c.waitEvent('migtrace/stopped')).body.steps as number;
      if ((await lookAhead(c)).includes('ran the whole run')) assert.fail('chegu-256g ended: the test needs a run that outlasts it');
      if ((st.body.description as string).includes('iterative')) break;
    }
    await c.ok('migtrace/nextStage', {});
    const start = await c.waitEvent('progressStart');
    await c.ok('cancel', { progressId: start.body.progressId });
    const st = await c.waitEvent('stopped');
    assert.equal(st.body.reason, 'pause');
    await c.waitEvent('progressEnd');
    const at = (await c.waitEvent('migtrace/stopped', (e) => e.body.reason === 'pause')).body;
    assert.ok(at.steps > from, `the cancelled run did not move: step ${at.steps}, from ${from}`);
    // A step from there, a step back and the step again: the same stop twice (a state the session can replay).
    const tid = await withFrames(c, st.body.threadId as number);
    await c.ok('next', { threadId: tid });
    await c.waitEvent('stopped');
    const there = await picture(c, tid);
    await c.ok('stepBack', { threadId: tid });
    await c.waitEvent('stopped');
    await c.ok('next', { threadId: tid });
    await c.waitEvent('stopped');
    assert.equal(await picture(c, tid), there, 'a step from the cancelled stop, back and again, does not land on the same state');
  } finally {
    await c.close();
  }
});

/**
 * Restart Frame on every frame of the thread that stopped (innermost first, each from the stop it
 * left), with `bp` set as a function breakpoint or none: each stop as a user sees it. Where the
 * look-ahead has run, the scan back passes the checkpoint intervals whose blocks entered neither
 * the frame's function nor a breakpoint's.
 */
async function restartEach(on: boolean, run: Record<string, unknown>, bp: string | null): Promise<string[]> {
  const { c } = await session(on, { ...run, stopOnEntry: false });
  if (on) await whole(c);
  if (bp !== null) await c.ok('setFunctionBreakpoints', { breakpoints: [{ name: bp }] });
  const threads = (await c.ok('threads')).threads as { id: number; name: string }[];
  const mig = threads.find((t) => /^(mig\/src\/main|migration)\b/.test(t.name)) ?? threads[0];
  const got: string[] = [];
  const depth = (await c.ok('stackTrace', { threadId: mig.id })).stackFrames.length;
  assert.ok(depth >= 2, `the migration thread (${mig.name}) has ${depth} frames to restart`);
  for (let d = 0; d < depth; d++) {
    const frames = (await c.ok('stackTrace', { threadId: mig.id })).stackFrames as { id: number; name: string }[];
    if (frames.length === 0) break;
    const f = frames[Math.min(d, frames.length - 1)];
    await c.ok('restartFrame', { frameId: f.id });
    const st = await c.waitEvent('stopped');
    got.push(`restart ${f.name}: ${st.body.reason} ${st.body.description ?? ''} @ ${await picture(c, await withFrames(c, mig.id))}`);
    c.drain('migtrace/stopped');
  }
  await c.close();
  return got;
}

test('Restart Frame through what the look-ahead has run lands where it does without it; a breakpoint on the way back does not stop it', async () => {
  const runs: [string, Record<string, unknown>][] = [
    ['multifd-sync-hang seed 5 (at its hang)', { scenario: 'multifd-sync-hang', seed: 5 }],
    ['seed-specjbb-128g (at t=30 s)', { scenario: 'seed-specjbb-128g', stopAtTime: 30e9 }],
  ];
  for (const [name, run] of runs) {
    const want = await restartEach(false, run, null);
    assert.ok(want.length >= 3, `${name}: too few frames to restart: ${want.join(' | ')}`);
    assert.ok(want.some((w) => w.includes('Rewound to the entry of the frame')), `${name}: no frame was rewound to: ${want.join(' | ')}`);
    if (process.env.MIGTRACE_SHOW_STOPS === '1') console.error(`${name}:\n  ${want.map((w) => w.slice(0, 160)).join('\n  ')}`);
    assert.deepEqual(await restartEach(true, run, null), want, `${name}, with the look-ahead`);
    // Restart Frame rewinds: a breakpoint between the stop and the frame's entry (every sync round's) is not a stop.
    assert.deepEqual(await restartEach(false, run, 'migration_bitmap_sync'), want, `${name}, a breakpoint on migration_bitmap_sync`);
    assert.deepEqual(await restartEach(true, run, 'migration_bitmap_sync'), want, `${name}, a breakpoint on migration_bitmap_sync, with the look-ahead`);
  }
});

/**
 * Jump to Cursor's targets (the previous and the next time each line of a listing runs) from the
 * multifd hang's stop at t=5 s, in the listing of the migration thread's innermost frame there,
 * with breakpoints `bps` set on that listing ('log' puts a log point on its first statement).
 */
async function targetsOf(on: boolean, bps: 'none' | 'line' | 'log'): Promise<{ targets: string[]; logged: number }> {
  const { c } = await session(on, { scenario: 'multifd-sync-hang', seed: 5, stopAtTime: 5e9, stopOnEntry: false });
  if (on) await whole(c);
  const threads = (await c.ok('threads')).threads as { id: number; name: string }[];
  const mig = threads.find((t) => /^mig\/src\/main\b/.test(t.name));
  assert.ok(mig, 'no migration thread');
  const top = (await c.ok('stackTrace', { threadId: mig.id })).stackFrames[0];
  const source = top.source;
  const lines = ((await c.ok('source', { source, sourceReference: source.sourceReference })).content as string).split('\n').filter((l) => l.length > 0).length;
  if (bps !== 'none') await c.ok('setBreakpoints', { source, breakpoints: [bps === 'log' ? { line: 2, logMessage: 'LOGGED {remaining}' } : { line: 2 }] });
  c.drain('output');
  const targets: string[] = [];
  for (let line = 1; line <= lines; line++) {
    const r = await c.ok('gotoTargets', { source, line });
    targets.push(`${top.name}:${line}: ${r.targets.map((t: { label: string }) => t.label).join(' | ') || 'none'}`);
  }
  const logged = c.drain('output').filter((e) => String(e.body.output).includes('LOGGED')).length;
  await c.close();
  return { targets, logged };
}

test('Jump to Cursor: each line\'s previous and next run are the same with and without the look-ahead, and no breakpoint or log point stops or prints while they are looked for', async () => {
  const want = await targetsOf(false, 'none');
  assert.ok(want.targets.some((t) => t.includes('previous time')) && want.targets.some((t) => t.includes('next time')), want.targets.join('\n'));
  if (process.env.MIGTRACE_SHOW_STOPS === '1') console.error(want.targets.join('\n'));
  for (const on of [false, true]) {
    for (const bps of ['none', 'line', 'log'] as const) {
      const got = await targetsOf(on, bps);
      assert.deepEqual(got.targets, want.targets, `look-ahead ${on ? 'on' : 'off'}, breakpoints: ${bps}`);
      assert.equal(got.logged, 0, `look-ahead ${on ? 'on' : 'off'}: the log point printed while the targets were looked for`);
    }
  }
});
