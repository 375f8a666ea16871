// The end-to-end suite in a real VS Code: code-server (installed by scripts/setup-code-server.mjs)
// with migtrace's .vsix as `npm run package` builds it, installed by --install-extension into a
// clean extensions folder, driven by Playwright in Debian's Chromium as a user would, a
// screenshot at each step (.tmp/artifacts/e2e/). MIGTRACE_E2E=0 skips it, saying so.
// The hang is multifd-sync-hang on seed 5, a schedule on which a multifd sync hangs. The 2012
// stage-3 bug completes on its default schedules (README, "The 2012 stage-3 hang"): seed-stage3-hang
// is stepped by stage into stop-and-copy, where the bug heals itself, and its 4 GiB variant runs on
// the schedule `migtrace explore --strategy guided` finds, where it stops at the first lost write.
// MIGTRACE_UPDATE_SCREENSHOTS=1 copies the screenshots the README and the walkthrough show into
// media/screenshots/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodeServer, packageVsix, ROOT, setupCodeServer } from './codeServer';
import { ARTIFACTS, Workbench } from './workbench';
import { HANG, LONG, makeWorkspace, STAGE3, STAGE3_LOSS } from './workspace';
import { callStackAndThreads, frameListing, hangStops, hostAnswersWhileRunning, lockBreakpoint, stage3DataLoss, stage3StopAndCopy, statementBreakpoint, stepBack, variables } from './debugStory';
import { stage3Schedule } from '../debug/scenarios';
import { scenarioSchema, walkthrough } from './editorStory';
import { exportPerfetto, openTimeline, replayToHere } from './timelineStory';
import type { Frame } from 'playwright-core';
import type { Install } from './codeServer';

// The setup runs first (a cached install answers at once; a fresh one takes minutes): the suite
// is skipped, saying why, only when this machine cannot have code-server and Chromium.
const setup: Install | { cannot: string } | null = process.env.MIGTRACE_E2E === '0' ? null : setupCodeServer();
const SKIP = setup === null ? 'MIGTRACE_E2E=0: the end-to-end suite in code-server is skipped' : 'cannot' in setup ? `this machine cannot run code-server and Chromium: ${setup.cannot}` : false;
if (SKIP) console.error(`e2e, code-server: SKIPPED: ${SKIP}`);
const RUN = join(ROOT, '.tmp', 'e2e-run');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let cs: CodeServer;
let wb: Workbench;
let vsix: string;
let timeline: Frame;
const ws = join(RUN, 'workspace');

/** On a failure: a screenshot of the moment and the tail of the extension host's log. */
async function step(name: string, f: () => Promise<void>): Promise<void> {
  if (wb === undefined) throw new Error('VS Code did not open (the first test says why)');
  try {
    await f();
  } catch (e) {
    const shot = wb ? await wb.shot(`FAILED-${name}`).catch(() => 'none') : 'none';
    const log = cs ? cs.extensionHostLog().split('\n').slice(-40).join('\n') : '';
    const consoleErrors = wb ? wb.consoleErrors.slice(-20).join('\n') : '';
    throw new Error(`${(e as Error).message}\n(screenshot: ${shot})\nextension host log, last lines:\n${log}\nthe workbench's console errors, last 20:\n${consoleErrors || '(none)'}`, { cause: e });
  }
}

describe('migtrace in a real VS Code (code-server)', { skip: SKIP, timeout: 60 * 60_000 }, () => {
  before(async () => {
    rmSync(RUN, { recursive: true, force: true });
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(RUN, { recursive: true });
    const install = setup as Install;
    vsix = packageVsix(join(RUN, `migtrace-${VERSION}.vsix`));
    cs = CodeServer.create(install, join(RUN, 'scratch'), ws);
    const stage3 = stage3Schedule(RUN);
    assert.ok(stage3 !== null, 'migtrace explore seed-stage3-hang --strategy guided found no failing schedule in seeds 1-6 of the 4 GiB variant');
    makeWorkspace(ws, stage3);
  });

  after(async () => {
    await wb?.close().catch(() => undefined);
    await cs?.stop();
  });

  it('the .vsix: vsce ls lists only what the extension runs and shows; it installs into a clean code-server with --install-extension', async () => {
    const ls = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ls.status, 0, ls.stderr);
    const files = ls.stdout.trim().split('\n').sort();
    const allowed = [/^package\.json$/, /^README\.md$/, /^CHANGELOG\.md$/, /^LICENSE$/, /^dist\/[\w.]+\.(js|css|json)$/, /^media\/icon\.png$/, /^media\/walkthrough\/\w+\.md$/, /^media\/screenshots\/[\w-]+\.png$/];
    for (const f of files) assert.ok(allowed.some((a) => a.test(f)), `vsce ls lists ${f}, which the extension does not need`);
    for (const f of ['dist/extension.js', 'dist/debugAdapter.js', 'dist/cli.js', 'dist/exploreWorker.js', 'dist/timelineWorker.js', 'dist/timeline.js', 'dist/timeline.css', 'dist/scenario.schema.json', 'media/icon.png']) assert.ok(files.includes(f), `vsce ls lacks ${f}`);
    const size = statSync(vsix).size;
    console.error(`e2e: ${vsix.slice(ROOT.length + 1)}: ${(size / 1024).toFixed(0)} KiB; vsce ls: ${files.length} files`);
    assert.ok(size < 4 * 1024 * 1024, `the .vsix is ${size} bytes`);
    assert.deepEqual(cs.installedExtensions(), [], 'the extensions folder is not clean');
    const said = cs.installExtension(vsix);
    assert.match(said, /Extension 'migtrace-[\d.]+\.vsix' was successfully installed/);
    assert.deepEqual(cs.installedExtensions(), [`migtrace.migtrace-${VERSION}`]);
    await cs.start();
    wb = await Workbench.open(cs.url, ws, cs.scratch);
    await wb.sideBarWidth(560);
  });

  it(`F5 on ${HANG.scenario} seed ${HANG.seed}: stops on the hang, with the exception widget`, () => step('hang', () => hangStops(wb)));
  it('the Call Stack of the migration thread, and every thread with its state in its name', () => step('callstack', () => callStackAndThreads(wb)));
  it('Variables: the frame\'s locals, the thread, the migration under query-migrate\'s names', () => step('variables', () => variables(wb)));
  it('a frame\'s source listing opens at its statement', () => step('listing', () => frameListing(wb)));
  it('Step Back from the toolbar', () => step('stepback', () => stepBack(wb)));
  it('a lock breakpoint (lock:bql) from the Breakpoints view, hit going back and going forward', () => step('lockbp', () => lockBreakpoint(wb)));
  it('a statement breakpoint in a listing (F9), hit going back; removed, the run goes on to the hang', () => step('stmtbp', () => statementBreakpoint(wb)));

  it('the session recorded the hang: the .migtrace says so (migtrace info)', () => step('recording', async () => {
    const trace = join(ws, HANG.recording);
    assert.ok(existsSync(trace), `${trace} was not written`);
    const info = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'info', trace, '--json'], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /deadlock/);
  }));

  it('the recording opens in the timeline, its lanes drawn', () => step('timeline', async () => {
    timeline = await openTimeline(wb, HANG.recording);
  }));
  it('Replay to here from the timeline starts a replay session stopped there; the timeline follows it', () => step('replay-to-here', () => replayToHere(wb, timeline)));
  it('Export to Perfetto from the open timeline writes a .pftrace', () => step('perfetto', () => exportPerfetto(wb, ws, HANG.recording)));

  it(`${STAGE3.scenario}: Next Stage from the toolbar into stop-and-copy, stepped through, runs to completion`, () => step('stage3', async () => {
    const seen = await stage3StopAndCopy(wb, STAGE3.name);
    console.error(`e2e: ${STAGE3.scenario} stops by Next Stage:\n  ${seen.join('\n  ')}`);
  }));

  it(`${STAGE3_LOSS.name}: stops at the first lost write, the exception widget naming the writer and the BQL's waiters; Continue to the end and Reverse Continue back to it`, () => step('stage3-loss', async () => {
    const seen = await stage3DataLoss(wb, STAGE3_LOSS.name);
    console.error(`e2e: ${STAGE3_LOSS.name}:\n  ${seen.join('\n  ')}`);
  }));

  it('the extension host answers a command within a second while a long scenario runs in the adapter; Cancel on its progress stops it', () => step('responsive', async () => {
    const { idle_ms, tries } = await hostAnswersWhileRunning(wb, LONG.name);
    console.error(`e2e: "migtrace: Run Scenario..." showed its scenarios ${tries.join(', ')} ms after Enter during a run of ${LONG.scenario} (${idle_ms} ms with nothing running)`);
    // A host running the simulation on its thread would answer none of them before the run ended.
    assert.ok(Math.min(...tries) < 1000, `the command answered after ${tries.join(', ')} ms`);
    assert.ok(Math.max(...tries) < 10_000, `the command answered after ${tries.join(', ')} ms`);
  }));

  it('scenario files: the JSON schema flags a misspelt field and completes QEMU\'s names', () => step('schema', () => scenarioSchema(wb, ws)));
  it('the walkthrough: from its first step to a stop on the hang', () => step('walkthrough', () => walkthrough(wb)));

  it('the extension activated without errors in the extension host log', () => {
    const log = cs.extensionHostLog();
    assert.match(log, /ExtensionService#_doActivateExtension migtrace\.migtrace/);
    const bad = log.split('\n').filter((l) => /\[error\]/.test(l) && !/getaddrinfo (ENOTFOUND|EAI_AGAIN)/.test(l));
    const ours = bad.filter((l) => /migtrace/i.test(l));
    assert.deepEqual(ours, [], `errors of migtrace in the extension host log:\n${ours.join('\n')}`);
    assert.deepEqual(wb.pageErrors.filter((e) => /migtrace/i.test(e)), []);
  });

  it('screenshots: every step saved one', () => {
    for (const s of wb.shots) assert.ok(statSync(s.path).size > 10_000, `${s.path} is nearly empty`);
    if (process.env.MIGTRACE_UPDATE_SCREENSHOTS !== '1') return;
    const keep: Record<string, string> = {
      'hang-exception-widget': 'hang.png',
      'call-stack-and-threads': 'call-stack.png',
      'lock-breakpoint-hit-in-reverse': 'lock-breakpoint.png',
      'stage3-run_on_cpu-drops-the-BQL': 'stage3.png',
      'stage3-data-loss-reverse-continue': 'stage3-data-loss.png',
      'replay-to-here-stopped': 'timeline.png',
    };
    mkdirSync(join(ROOT, 'media', 'screenshots'), { recursive: true });
    for (const s of wb.shots) if (keep[s.name]) copyFileSync(s.path, join(ROOT, 'media', 'screenshots', keep[s.name]));
  });
});
