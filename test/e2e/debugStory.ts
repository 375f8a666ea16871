// The debugging story, as a user goes through it in VS Code: F5 on a hanging schedule, the
// exception widget, the Call Stack with the threads' states, Variables, a frame's listing, Step
// Back and a lock breakpoint from the Breakpoints view; then seed-stage3-hang stepped stage by
// stage through stop-and-copy; and the extension host answering while a long run goes on.

import assert from 'node:assert/strict';
import type { Workbench } from './workbench';

/** The Call Stack's row of the thread that stopped (its badge says why: "Paused on deadlock"). */
async function stoppedThreadRow(wb: Workbench): Promise<string> {
  const t = await wb.stoppedThread();
  assert.ok(t, `no thread says why it stopped; the Call Stack reads:\n${(await wb.callStackText()).join('\n')}`);
  return t.row;
}

/** The stopped thread's block of the Call Stack: its row and its frames, or '' if none stopped. */
async function stoppedBlock(wb: Workbench): Promise<string> {
  const t = await wb.stoppedThread();
  return t === null ? '' : [t.row, ...t.frames].join('\n');
}

/** Waits for the stop that follows an action: the toolbar shows the run stopped and the stopped
 *  thread's block of the Call Stack has changed and settled (VS Code redraws a stop in two
 *  passes: frames first, the reason after). A step may land on a state that reads the same (a
 *  loop's statement again): then the stopped toolbar a few seconds on is enough. */
async function nextStop(wb: Workbench, act: () => Promise<void>, timeout_ms = 120_000): Promise<string> {
  const before = await stoppedBlock(wb);
  const t0 = Date.now();
  let moved = false;
  let last = before;
  let since = Date.now();
  await act();
  await wb.until('the session to stop again', async () => {
    if (!(await wb.toolbarButton('debug-continue').isVisible())) {
      moved = true;
      return undefined;
    }
    const now = await stoppedBlock(wb);
    if (now !== last) {
      last = now;
      since = Date.now();
      return undefined;
    }
    if (now === '') return undefined;
    if (now !== before) return Date.now() - since > 1_000;
    return Date.now() - t0 > (moved ? 3_000 : 8_000);
  }, timeout_ms);
  return (await wb.callStackText()).join('\n');
}

export async function hangStops(wb: Workbench): Promise<void> {
  const since = wb.consoleErrors.length;
  await wb.pressF5();
  await wb.stopped(180_000);
  const widget = wb.page.locator('.exception-widget');
  // The listing failed to open here when F5 came before the workbench could open `debug:`
  // documents (Workbench.open now waits for that); if it fails again, the failure says why.
  const seen = await wb.until('the exception widget', async () => ((await widget.isVisible()) ? 'widget' : (await wb.editorFailed()) ? 'failed' : undefined), 60_000);
  if (seen === 'failed') await wb.editorFailure(since);
  await widget.waitFor({ state: 'visible', timeout: 60_000 });
  const text = await widget.innerText();
  assert.match(text, /Exception has occurred: deadlock/);
  assert.match(text, /a cycle of 2 threads/);
  assert.match(text, /"mig\/src\/main": waiting on semaphore "send_3\.sem_sync"/);
  assert.match(text, /#0\s+multifd_send_sync_main/);
  assert.equal(text.split('a cycle of 2 threads').length - 1, 1, 'the exception widget repeats its description');
  assert.equal(await wb.activeTab(), 'multifd_send_sync_main.c');
  await wb.shot('hang-exception-widget');
}

export async function callStackAndThreads(wb: Workbench): Promise<void> {
  await wb.setPaneExpanded('Variables', false);
  await wb.setPaneExpanded('Watch', false);
  await wb.pause(500);
  const row = await stoppedThreadRow(wb);
  assert.match(row, /^mig\/src\/main \(blocked on send_3\.sem_sync, holding BQL\)/);
  assert.match(row, /PAUSED ON DEADLOCK/i);
  const rows = await wb.callStackText();
  const frames = ((await wb.stoppedThread())?.frames ?? []).map((t) => t.split(':')[0]);
  assert.deepEqual(frames, ['multifd_send_sync_main', 'ram_save_complete', 'qemu_savevm_state_complete_precopy', 'migration_completion', 'migration_iteration_run', 'migration_thread']);
  // Every thread of the source and the destination, its state in its name.
  for (const t of [/^main \(blocked on BQL held by mig\/src\/main\)/, /^CPU 0\/KVM \(stopped/, /^mig\/src\/send_3 \(blocked on send_3\.sem\)/, /^dst main \(in I\/O/, /^mig\/dst\/recv_0 /]) {
    assert.ok(rows.some((r) => t.test(r)), `no thread row matches ${t}:\n${rows.join('\n')}`);
  }
  await wb.shot('call-stack-and-threads');
}

export async function variables(wb: Workbench): Promise<void> {
  await wb.setPaneExpanded('Variables', true);
  await wb.setPaneExpanded('Call Stack', false);
  const migration = wb.page.locator('.debug-variables .monaco-list-row', { hasText: /^Migration/ }).first();
  await migration.waitFor({ state: 'visible', timeout: 20_000 });
  await migration.click();
  await wb.until('the migration variables', async () => (await wb.variablesText()).some((v) => /^status\b/.test(v)));
  const thread = wb.page.locator('.debug-variables .monaco-list-row', { hasText: /^Thread mig\/src\/main/ }).first();
  await thread.click();
  await wb.pause(800);
  const vars = await wb.variablesText();
  for (const v of [/^i\b/, /^status\b/, /^remaining\b/, /^expected-downtime\b/]) assert.ok(vars.some((x) => v.test(x)), `no variable matches ${v}:\n${vars.join('\n')}`);
  await wb.shot('variables');
  // The Scheduler scope says how far the look-ahead has run (below the others: fold them first).
  for (const scope of [/^Thread mig\/src\/main/, /^Migration/, /^Locals/]) await wb.page.locator('.debug-variables .monaco-list-row', { hasText: scope }).first().click();
  const sched = wb.page.locator('.debug-variables .monaco-list-row', { hasText: /^Scheduler/ }).first();
  await sched.click();
  await wb.until('the scheduler variables', async () => (await wb.variablesText()).some((v) => /^look-ahead\b/.test(v)));
  const look = (await wb.variablesText()).find((v) => /^look-ahead\b/.test(v)) ?? '';
  assert.match(look, /^look-ahead\W+(running ahead|ran the whole run)/, look);
  await wb.shot('variables-scheduler-look-ahead');
  await sched.click();
  await wb.setPaneExpanded('Call Stack', true);
  await wb.setPaneExpanded('Variables', false);
}

export async function frameListing(wb: Workbench): Promise<void> {
  // The other half of the cycle: the sender thread mig/src/send_3, waiting for work from main.
  const sender = wb.callStackRows().filter({ hasText: /^mig\/src\/send_3 / }).first();
  await sender.click();
  await wb.page.keyboard.press('ArrowRight');
  const frame = wb.frameRows().filter({ hasText: 'multifd_send_thread' }).first();
  await frame.waitFor({ state: 'visible', timeout: 20_000 });
  await frame.click();
  await wb.until('the listing of multifd_send_thread', async () => (await wb.activeTab()) === 'multifd_send_thread.c');
  // the tab shows before its text is drawn
  await wb.until('the listing\'s text', async () => /multifd_send_thread\(/.test(await wb.page.locator('.editor-group-container.active .view-lines').first().innerText()));
  await wb.currentLine().waitFor({ state: 'visible', timeout: 10_000 });
  await wb.shot('frame-listing-multifd_send_thread');
  // Back to the migration thread's top frame.
  const main = wb.frameRows().filter({ hasText: 'multifd_send_sync_main' }).first();
  await main.click();
  await wb.until('the listing of multifd_send_sync_main', async () => (await wb.activeTab()) === 'multifd_send_sync_main.c');
}

export async function stepBack(wb: Workbench): Promise<void> {
  // Step Back moves the thread selected in the Call Stack: the migration thread's top frame.
  await wb.frameRows().filter({ hasText: 'multifd_send_sync_main' }).first().click();
  await wb.until('the listing of multifd_send_sync_main', async () => (await wb.activeTab()) === 'multifd_send_sync_main.c');
  const before = await wb.stoppedThread();
  assert.ok(before);
  await nextStop(wb, () => wb.debugAction('debug-step-back'));
  const after = await wb.stoppedThread();
  assert.ok(after);
  assert.match(after.row, /^mig\/src\/main \(running, holding BQL\) PAUSED ON STEP/i, 'one statement back, the migration thread was still running');
  assert.equal(before.frames[0], 'multifd_send_sync_main:4');
  assert.equal(after.frames[0], 'multifd_send_sync_main:3', 'Step Back went to the statement before');
  await wb.currentLine().waitFor({ state: 'visible', timeout: 10_000 });
  await wb.shot('step-back');
}

export async function lockBreakpoint(wb: Workbench): Promise<void> {
  await wb.paneHeader('Breakpoints').hover();
  await wb.page.locator('.pane-header[aria-label^="Breakpoints"] .codicon-watch-expressions-add-function-breakpoint').click();
  // the name's input box: typed into once it shows and has the focus (typing before went nowhere)
  const name = wb.page.locator('.debug-breakpoints .monaco-list-row input').first();
  await name.waitFor({ state: 'visible', timeout: 10_000 });
  await name.fill('lock:bql');
  await name.press('Enter');
  const bp = wb.page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'lock:bql' });
  await bp.waitFor({ state: 'visible', timeout: 10_000 });
  // Reverse: the last time before this that a thread took the BQL.
  await nextStop(wb, () => wb.debugAction('debug-reverse-continue'));
  const hitA = await stoppedBlock(wb);
  assert.match(hitA, /PAUSED ON LOCK:BQL: "MIG\/SRC\/MAIN" TOOK BQL/i);
  await wb.shot('lock-breakpoint-hit-in-reverse');
  // Once more back, then forwards: the run passes the same acquisition again, then hangs where it hung.
  await nextStop(wb, () => wb.debugAction('debug-reverse-continue'));
  const hitB = await stoppedBlock(wb);
  assert.match(hitB, /PAUSED ON LOCK:BQL/i);
  assert.notEqual(hitB, hitA, 'a second Reverse stopped at the same place');
  await nextStop(wb, () => wb.debugAction('debug-continue'));
  assert.equal(await stoppedBlock(wb), hitA, 'forwards again, the BQL was not taken where it was taken before');
  await removeAllBreakpoints(wb);
  await bp.waitFor({ state: 'detached', timeout: 10_000 });
  await nextStop(wb, () => wb.debugAction('debug-continue'));
  assert.match(await stoppedBlock(wb), /PAUSED ON DEADLOCK/i, 'the same hang, at the same place, after going back and forth');
}

/** Remove All from the Breakpoints view's title bar. */
async function removeAllBreakpoints(wb: Workbench): Promise<void> {
  await wb.paneHeader('Breakpoints').hover();
  await wb.page.locator('.pane-header[aria-label^="Breakpoints"] .codicon-breakpoints-remove-all').click();
}

export async function statementBreakpoint(wb: Workbench): Promise<void> {
  // In the listing of the hung frame (multifd_send_sync_main, at line 4): F9 on line 3, the
  // statement before, and Reverse Continue: the last time the migration thread ran it.
  await wb.frameRows().filter({ hasText: 'multifd_send_sync_main' }).first().click();
  await wb.until('the listing of multifd_send_sync_main', async () => (await wb.activeTab()) === 'multifd_send_sync_main.c');
  await wb.page.locator('.editor-group-container.active .view-lines').first().click();
  await wb.page.keyboard.press('Control+G');
  await wb.quickInputValue(':3'); // Go to Line: its input starts with ':'
  await wb.page.keyboard.press('F9');
  try {
    await statementBreakpointHit(wb);
  } catch (e) {
    // VS Code keeps breakpoints from session to session: the rest of the story must not meet it.
    await removeAllBreakpoints(wb).catch(() => undefined);
    throw e;
  }
}

async function statementBreakpointHit(wb: Workbench): Promise<void> {
  const bp = wb.page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'multifd_send_sync_main' });
  await bp.waitFor({ state: 'visible', timeout: 10_000 });
  await wb.page.locator('.editor-group-container.active .codicon-debug-breakpoint').first().waitFor({ state: 'visible', timeout: 10_000 });
  // Verified, it is still the listing's (a response naming another source moved it out of the editor, nameless).
  assert.match(await wb.page.locator('.debug-breakpoints .monaco-list-row .breakpoint').last().innerText(), /multifd_send_sync_main\.c/);
  await nextStop(wb, () => wb.debugAction('debug-reverse-continue'));
  const hit = await stoppedBlock(wb);
  assert.match(hit, /PAUSED ON MULTIFD_SEND_SYNC_MAIN:3/i);
  assert.match(hit, /\nmultifd_send_sync_main:3/, 'the frame is at the statement the breakpoint is on');
  await wb.shot('statement-breakpoint-hit-in-reverse');
  // Removed (VS Code keeps breakpoints from session to session: the rest of the story must not
  // meet it), the run goes on to the hang.
  await removeAllBreakpoints(wb);
  await bp.first().waitFor({ state: 'detached', timeout: 10_000 });
  await nextStop(wb, () => wb.debugAction('debug-continue'));
  assert.match(await stoppedBlock(wb), /PAUSED ON DEADLOCK/i, 'the hang, after the statement breakpoint was removed');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
}

/** The Call Stack row of the thread named `name` (its state in its name). */
async function threadRow(wb: Workbench, name: string): Promise<string> {
  const rows = await wb.callStackText();
  return rows.find((r) => r.startsWith(`${name} (`)) ?? '';
}

/** Steps into on the stopped thread until `done` holds (at most `max` steps). */
async function stepInUntil(wb: Workbench, what: string, max: number, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await done()) return;
    await nextStop(wb, () => wb.debugAction('debug-step-into'));
  }
  assert.ok(await done(), `${max} steps in did not reach ${what}; the Call Stack reads:\n${(await wb.callStackText()).join('\n')}`);
}

export async function stage3StopAndCopy(wb: Workbench, configName: string): Promise<string[]> {
  await wb.stopAllSessions();
  if (await wb.page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'lock:bql' }).isVisible()) {
    await removeAllBreakpoints(wb);
  }
  await wb.command('Debug: Select and Start Debugging');
  await wb.quickPick(configName);
  await wb.stopped(180_000);
  assert.match(await stoppedThreadRow(wb), /STOPPED AT THE START OF THE RUN/i);
  const seen: string[] = [];
  // Next Stage: setup, iterative, then stop-copy (the RFC's migration thread in migration_completion).
  for (let i = 0; i < 6 && !/STOP-COPY/i.test(seen.at(-1) ?? ''); i++) {
    await nextStop(wb, () => wb.debugAction('Next Stage'), 300_000);
    seen.push(await stoppedThreadRow(wb));
  }
  assert.match(seen.at(-1) ?? '', /^migration \(running, holding BQL\) NEXT STAGE: STOP-COPY/i);
  await wb.shot('stage3-next-stage-to-stop-copy');
  // Into qemu_savevm_state_complete: cpu_synchronize_all_states's run_on_cpu waits on
  // qemu_work_cond, dropping the BQL, and the main loop (blocked on the BQL since vm_stop queued
  // its request) can run: the window in which the 2012 bug heals itself.
  await stepInUntil(wb, 'run_on_cpu dropping the BQL', 12, async () => /blocked on qemu_work_cond/.test(await threadRow(wb, 'migration')));
  const frames = (await wb.stoppedThread())?.frames.map((f) => f.split(':')[0]) ?? [];
  assert.deepEqual(frames.slice(0, 4), ['run_on_cpu', 'cpu_synchronize_all_states', 'qemu_savevm_state_complete', 'migration_completion']);
  assert.match(await threadRow(wb, 'main'), /^main \(runnable\)/);
  await wb.shot('stage3-run_on_cpu-drops-the-BQL');
  await stepInUntil(wb, 'the main loop serving the stop request', 6, async () => /blocked on qemu_pause_cond/.test(await threadRow(wb, 'main')));
  await wb.shot('stage3-main-loop-serves-the-stop');
  // On to the end: the migration completes, nothing hangs, no page is lost.
  await nextStop(wb, () => wb.debugAction('debug-continue'), 600_000);
  assert.match(await stoppedThreadRow(wb), /THE RUN ENDED AT T=[\d.]+ S: COMPLETED/i);
  await wb.shot('stage3-completed');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
  return seen;
}

/**
 * The 2012 bug biting, on the schedule explore found: the session stops at the first write a vCPU
 * makes after ram_save_complete's final sync, the migration thread in ram_save_complete holding the
 * BQL and the main loop blocked behind it; Continue goes to the end (the pages stale at
 * switchover), Reverse Continue comes back to the same stop.
 */
export async function stage3DataLoss(wb: Workbench, configName: string): Promise<string[]> {
  await wb.stopAllSessions();
  await wb.command('Debug: Select and Start Debugging');
  await wb.quickPick(configName);
  await wb.stopped(180_000);
  const widget = wb.page.locator('.exception-widget');
  await widget.waitFor({ state: 'visible', timeout: 60_000 });
  const text = await widget.innerText();
  assert.match(text, /Exception has occurred: data-loss/);
  assert.match(text, /CPU \d+ wrote page \d+ after ram_save_complete's final sync/);
  assert.match(text, /"main": waiting to lock mutex "bql", which is held by "migration"/);
  assert.match(text, /"migration" running, .*holding "bql"/);
  const first = (await stoppedBlock(wb)).split('\n')[0];
  assert.match(first, /^migration \(running, holding BQL\) PAUSED ON DATA-LOSS/i);
  // VS Code asks for the top frame first and the rest when asked for (the Call Stack's "Load More Stack Frames").
  const more = wb.page.locator('.debug-call-stack .monaco-list-row', { hasText: 'Load More Stack Frames' });
  if (await more.isVisible()) await more.click();
  const frames = await wb.until('the migration thread\'s frames down to buffered_file_thread', async () => {
    const f = (await wb.stoppedThread())?.frames.map((x) => x.split(':')[0]) ?? [];
    return f.at(-1) === 'buffered_file_thread' ? f : undefined;
  }, 10_000);
  assert.ok(frames.includes('ram_save_complete') && frames.indexOf('ram_save_complete') <= 1, frames.join(' <- '));
  assert.match(await threadRow(wb, 'main'), /^main \(blocked on BQL held by migration\)/);
  await wb.shot('stage3-data-loss-exception-widget');
  const seen = [first];
  await nextStop(wb, () => wb.debugAction('debug-continue'), 300_000);
  await wb.until('the exception widget of the end (the pages stale at switchover)', async () => /pages were stale at the destination at switchover/.test(await widget.innerText()), 30_000);
  seen.push((await stoppedBlock(wb)).split('\n')[0]);
  await wb.shot('stage3-data-loss-at-the-end');
  await nextStop(wb, () => wb.debugAction('debug-reverse-continue'), 300_000);
  assert.equal((await stoppedBlock(wb)).split('\n')[0], first, 'Reverse Continue from the end did not come back to the lost write');
  await wb.until('the exception widget of the lost write again', async () => (await widget.innerText()) === text, 30_000);
  seen.push((await stoppedBlock(wb)).split('\n')[0]);
  await wb.shot('stage3-data-loss-reverse-continue');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
  return seen;
}

/** How long "migtrace: Run Scenario..." takes to show its scenarios (the extension host builds the list). */
async function runScenarioAnswer_ms(wb: Workbench): Promise<number> {
  await wb.command('migtrace: Run Scenario', { run: false });
  const t0 = Date.now();
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'multifd-sync-hang' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  return Date.now() - t0;
}

/** While a long scenario runs in the adapter, a migtrace command answers: its quick pick shows
 *  (three tries, each timed). Then the run's progress notification's Cancel stops
 *  it where it is. */
export async function hostAnswersWhileRunning(wb: Workbench, configName: string): Promise<{ idle_ms: number; tries: number[] }> {
  await wb.stopAllSessions();
  const idle_ms = await runScenarioAnswer_ms(wb);
  await wb.escape();
  await wb.command('Debug: Select and Start Debugging');
  await wb.quickPick(configName);
  await wb.toolbarButton('debug-pause').waitFor({ state: 'visible', timeout: 120_000 });
  const progress = wb.page.locator('.notification-toast', { hasText: 'Running the migration' }).first();
  await progress.waitFor({ state: 'visible', timeout: 60_000 });
  // Three times: the browser, code-server and the adapter share the machine's cores with
  // whatever else runs, so one answer can be slow for reasons not the host's; a host busy with
  // the simulation would not answer any of them until the run ended (tens of seconds).
  const tries: number[] = [];
  for (let i = 0; i < 3; i++) {
    tries.push(await runScenarioAnswer_ms(wb));
    if (i === 0) await wb.shot('extension-host-answers-while-a-run-goes-on');
    await wb.escape();
    assert.ok(await wb.toolbarButton('debug-pause').isVisible(), 'the run was no longer running when the command answered');
  }
  console.error(`e2e: the command's answers during the run: ${tries.join(', ')} ms`);
  await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await wb.stopped(60_000);
  await wb.shot('run-cancelled-from-its-progress');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
  return { idle_ms, tries };
}
