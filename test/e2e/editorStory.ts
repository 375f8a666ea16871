// The rest of a new user's first hour, in VS Code: a scenario file checked and completed by the
// scenario schema while it is edited, and the walkthrough from its first step to a stop on the
// hang, a step back, and a replay of the recording that hangs at the same place.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workbench } from './workbench';
import { TYPO_FILE } from './workspace';

export async function scenarioSchema(wb: Workbench, workspace: string): Promise<void> {
  const file = join(workspace, TYPO_FILE);
  const original = readFileSync(file, 'utf8');
  await wb.stopAllSessions();
  await wb.openFile(TYPO_FILE);
  const squiggle = wb.page.locator('.editor-group-container.active .squiggly-error, .editor-group-container.active .squiggly-warning').first();
  await squiggle.waitFor({ state: 'attached', timeout: 60_000 });
  await wb.page.keyboard.press('Control+Shift+M');
  const problem = wb.page.locator('.markers-panel .monaco-list-row', { hasText: 'downtime-limt' }).first();
  await problem.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await problem.innerText(), /Property downtime-limt is not allowed/);
  // Hover the misspelt key: the schema's message where the mistake is.
  await squiggle.hover({ force: true });
  await wb.page.locator('.monaco-hover', { hasText: 'downtime-limt' }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await wb.shot('scenario-schema-error');
  // Completion inside "migration": QEMU's parameter names, from the schema.
  // The cursor at the end of the misspelt line (a click on its text, then End).
  await wb.escape();
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: '"downtime-limt"' }).first().click();
  await wb.page.keyboard.press('End');
  await wb.page.keyboard.type(',');
  await wb.page.keyboard.press('Enter');
  await wb.page.keyboard.type('"');
  const suggest = wb.page.locator('.editor-widget.suggest-widget');
  await wb.until('the schema\'s completions', async () => {
    if (!(await suggest.isVisible())) await wb.page.keyboard.press('Control+Space');
    const t = await suggest.innerText().catch(() => '');
    return /multifd-channels/.test(t) && /downtime-limit/.test(t) ? t : undefined;
  });
  await wb.shot('scenario-schema-completion');
  await wb.escape();
  // Leave the file as it was on disk.
  await wb.command('File: Revert File');
  await wb.until('the file reverted', async () => !(await wb.page.locator('.editor-group-container.active .tab.active.dirty').isVisible()));
  assert.equal(readFileSync(file, 'utf8'), original, `${TYPO_FILE} was saved with the text typed into it`);
}

function stepOf(wb: Workbench, id: string) {
  return wb.page.locator(`.getting-started-step[data-step-id$="#${id}"]`).first();
}

async function openWalkthrough(wb: Workbench): Promise<void> {
  await wb.command('Welcome: Open Walkthrough...');
  await wb.quickPick('Debug a live-migration hang with migtrace');
  await stepOf(wb, 'debugHang').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Expands a walkthrough step and presses its button (the walkthrough opened again if a listing
 *  took its place: it opens as a preview editor, which the next preview replaces). */
async function walkthroughButton(wb: Workbench, step: string, label: string): Promise<void> {
  const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Welcome' }).first();
  if (await tab.isVisible()) await tab.click();
  else await openWalkthrough(wb);
  const s = stepOf(wb, step);
  await s.waitFor({ state: 'visible', timeout: 20_000 });
  if ((await s.getAttribute('aria-expanded')) !== 'true') await s.click();
  const button = wb.page.locator('.getting-started-step.expanded .monaco-button, .getting-started-step.expanded button.button-link', { hasText: label }).first();
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await button.click();
}

export async function walkthrough(wb: Workbench): Promise<void> {
  await wb.stopAllSessions();
  await openWalkthrough(wb);
  await wb.shot('walkthrough');
  await walkthroughButton(wb, 'debugHang', 'Debug multifd-sync-hang, seed 5');
  await wb.stopped(180_000);
  await wb.page.locator('.exception-widget').waitFor({ state: 'visible', timeout: 60_000 });
  const hang = (await wb.callStackText()).find((r) => /PAUSED ON DEADLOCK/i.test(r));
  assert.ok(hang, 'the walkthrough\'s session did not stop on the deadlock');
  await wb.shot('walkthrough-debug-hang');
  await walkthroughButton(wb, 'stepBack', 'Step Back');
  await wb.until('a step back', async () => (await wb.callStackText()).some((r) => /PAUSED ON STEP/i.test(r)) && (await wb.toolbarButton('debug-continue').isVisible()), 120_000);
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
  // The recorded run, replayed: the same hang at the same virtual time.
  await walkthroughButton(wb, 'replay', 'Replay the recording');
  await wb.stopped(180_000);
  await wb.page.locator('.exception-widget').waitFor({ state: 'visible', timeout: 60_000 });
  const replayed = await wb.page.locator('.exception-widget').innerText();
  assert.match(replayed, /deadlock at t=10\.891 s/);
  await wb.shot('walkthrough-replayed-hang');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
}
