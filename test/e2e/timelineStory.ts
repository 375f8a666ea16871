// The recorded hang in the timeline, as a user meets it in VS Code: the .migtrace the F5 session
// wrote opened from Quick Open (the custom editor is the default for *.migtrace), its lanes
// drawn (read back from the canvas, not only from the page's model), a click on the migration
// thread's lane and "Replay to here" starting a replay session stopped at that time, the
// timeline's cursor following that session, and "Export to Perfetto" writing a .pftrace.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Workbench } from './workbench';
import { LABEL_W as TRACK_X, RULER_H as TOP } from '../../media/layout';

interface Lane {
  label: string;
  kind: string;
  /** canvas y of the lane's top, and its height */
  y: number;
  h: number;
}

interface ViewNow {
  v0: number;
  v1: number;
  width: number;
  height: number;
  lanes: Lane[];
  /** the debug session the timeline follows: its virtual time (relative ns), or null */
  session: number | null;
}

/** The timeline page's view (window.migtrace, read, never driven). The functions given to
 *  evaluate run in the page; this file is type-checked without the DOM's types: globalThis as any. */
function viewNow(f: Frame): Promise<ViewNow> {
  return f.evaluate((top) => {
    const v = (globalThis as any).migtrace;
    const vp = v.scene.vp;
    return {
      v0: vp.v0, v1: vp.v1, width: vp.width, height: vp.height,
      lanes: v.scene.lanes.map((l: any) => ({ label: l.label, kind: l.kind, y: l.y + top - vp.scrollY, h: l.h })),
      session: v.scene.session ? v.scene.session.t : null,
    };
  }, TOP);
}

/** How many distinct colours, and how many pixels that are not the background, along canvas row y. */
function rowInk(f: Frame, y: number): Promise<{ colours: number; inked: number; width: number }> {
  return f.evaluate(({ y, x0 }) => {
    const c = (globalThis as any).document.querySelector('canvas.mt-main');
    const dpr = c.width / c.clientWidth;
    const d = c.getContext('2d')!.getImageData(Math.round(x0 * dpr), Math.round(y * dpr), c.width - Math.round(x0 * dpr), 1).data;
    const seen = new Set<string>();
    const px = d.length / 4;
    // the background: the row's last pixel, past the run's end (the view spans 102% of the run)
    const bg = `${d[d.length - 4]},${d[d.length - 3]},${d[d.length - 2]}`;
    let inked = 0;
    for (let i = 0; i < d.length; i += 4) {
      const k = `${d[i]},${d[i + 1]},${d[i + 2]}`;
      seen.add(k);
      if (k !== bg) inked++;
    }
    return { colours: seen.size, inked, width: px };
  }, { y, x0: TRACK_X });
}

/** The lane's most inked pixel row among its first 12 (its state strip; its frames are below), and that row's ink. */
async function stateRow(f: Frame, l: Lane): Promise<{ y: number; ink: { colours: number; inked: number; width: number } }> {
  let best = { y: l.y, ink: { colours: 0, inked: -1, width: 0 } };
  for (let dy = 1; dy < Math.min(l.h, 12); dy++) {
    const ink = await rowInk(f, l.y + dy);
    if (ink.inked > best.ink.inked) best = { y: l.y + dy, ink };
  }
  return best;
}

/** The timeline's frame (code-server nests the webview twice), once its canvas is drawn. */
async function timelineFrame(wb: Workbench): Promise<Frame> {
  return wb.until('the timeline\'s webview to draw', async () => {
    for (const f of wb.page.frames()) {
      const ok = await f.evaluate(() => {
        const v = (globalThis as any).migtrace;
        return (globalThis as any).document.querySelector('canvas.mt-main') !== null && v?.scene?.lanes?.length > 0;
      }).catch(() => false);
      if (ok) return f;
    }
    return undefined;
  }, 60_000);
}

export async function openTimeline(wb: Workbench, file: string): Promise<Frame> {
  await wb.stopAllSessions();
  // The timeline gets the window: no panel under it, no side bar beside it.
  await wb.hidePanelAndSideBar();
  await wb.openFile(file);
  const f = await timelineFrame(wb);
  await wb.pause(1_000);
  const v = await viewNow(f);
  const labels = v.lanes.map((l) => l.label);
  for (const name of ['mig/src/main', 'mig/src/send_3', 'main', 'CPU 0/KVM']) assert.ok(labels.includes(name), `no lane "${name}" in the timeline: ${labels.join(', ')}`);
  // Drawn: the migration thread's and a sender's lanes have ink along their state strips.
  for (const name of ['mig/src/main', 'mig/src/send_0']) {
    const l = v.lanes.find((x) => x.label === name)!;
    assert.ok(l.y + l.h <= v.height, `the lane ${name} (y ${l.y}) is below the canvas (${v.height} px high)`);
    const { ink } = await stateRow(f, l);
    assert.ok(ink.inked > ink.width / 2 && ink.colours >= 2, `the lane ${name} is not drawn: ${JSON.stringify(ink)}`);
  }
  assert.match(await f.locator('body').innerText(), /deadlock/i, 'the timeline does not say how the run ended');
  await wb.shot('timeline-of-the-recorded-hang');
  return f;
}

/** Clicks the migration thread's lane at 3/4 of the view and presses "Replay to here": a replay
 *  session starts, stopped at that time, and the timeline's cursor follows it. */
export async function replayToHere(wb: Workbench, f: Frame): Promise<void> {
  await wb.hidePanelAndSideBar();
  const v = await viewNow(f);
  const l = v.lanes.find((x) => x.label === 'mig/src/main')!;
  const x = Math.round(TRACK_X + 0.75 * (v.width - TRACK_X));
  const { y } = await stateRow(f, l);
  await f.locator('canvas.mt-main').click({ position: { x, y: Math.round(y) } });
  const button = f.locator('.mt-details button[data-action="replay"]');
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  const label = await button.innerText();
  assert.match(label, /^Replay to here \((?!0 ns)/, 'the state clicked, not the whole run');
  await wb.shot('timeline-span-selected');
  await button.click();
  await wb.stopped(120_000);
  const stop = await wb.until('the replay session\'s stop in the Call Stack', async () => (await wb.callStackText()).find((r) => /WENT TO T=/i.test(r)), 60_000);
  assert.match(stop, /WENT TO T=[1-9][\d.]* (ns|us|ms|s)\b/i);
  // The stop opened the frame's listing over the timeline; shown again, the page reloads and
  // is told the session and its stop again.
  await wb.page.locator('.editor-group-container .tab', { hasText: /\.migtrace/ }).first().click();
  const g = await timelineFrame(wb);
  const t = await wb.until('the timeline to follow the session', async () => (await viewNow(g)).session ?? undefined, 30_000);
  assert.ok(t > 0, `the timeline's session cursor is at ${t}`);
  await wb.pause(800);
  await wb.shot('replay-to-here-stopped');
  await wb.debugAction('debug-stop');
  await wb.sessionEnded();
}

/** "migtrace: Export to Perfetto" on the open timeline: the save dialog's default name, accepted;
 *  a .pftrace (protobuf TracePackets) next to the trace. */
export async function exportPerfetto(wb: Workbench, workspace: string, file: string): Promise<void> {
  const out = join(workspace, file.replace(/\.migtrace$/, '.pftrace'));
  await wb.stopAllSessions();
  await wb.page.locator('.editor-group-container .tab', { hasText: file }).first().click();
  await wb.command('migtrace: Export to Perfetto');
  const input = wb.page.locator('.quick-input-widget .quick-input-box input');
  // VS Code's own save dialog (a quick input holding the path), proposing <trace>.pftrace
  const proposed = await wb.until('the save dialog', async () => {
    const v = await input.inputValue().catch(() => '');
    return /\.pftrace$/.test(v) ? v : undefined;
  }, 20_000);
  assert.ok(proposed.endsWith(file.replace(/\.migtrace$/, '.pftrace')), `the save dialog proposes ${proposed}`);
  await wb.shot('export-to-perfetto-save-dialog');
  await input.press('Enter');
  const note = wb.page.locator('.notification-toast', { hasText: /wrote .*\.pftrace/ }).first();
  await note.waitFor({ state: 'visible', timeout: 120_000 });
  assert.ok(existsSync(out), `${out} was not written`);
  const bytes = readFileSync(out);
  assert.ok(statSync(out).size > 10_000, `${out} has ${bytes.length} bytes`);
  assert.equal(bytes[0], 0x0a, 'a Perfetto trace starts with a TracePacket (field 1, length-delimited)');
  await wb.shot('exported-to-perfetto');
}
