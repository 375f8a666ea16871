// "Replay to here" and following a session, end to end without VS Code's window: the launch
// configuration the timeline's host side (panelController.ts) starts from a click in the real page
// goes to the real debug adapter (`migtrace dap`, over stdio, the DAP client of test/debug); the
// adapter's `migtrace/stopped` comes back to the page, whose cursor follows it; a click in the page
// seeks the session with `migtrace/goToTime`, and the cursor follows again.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { launch, setupChromium, type Browser } from './chromium';
import { openWebview } from './webviewPage';
import { record, stopWorker } from './traces';
import { at, frames, lane, text, view, xOf } from './probe';
import { PanelController, type ReplayConfig } from '../../extension/timeline/panelController';
import { TimelineWorker } from '../../extension/timeline/workerClient';
import { processClient, startSession, type DapClient } from '../debug/dapClient';
import type { HostMessage } from '../../media/protocol';

let browser: Browser;
let trace: string;
const worker = new TimelineWorker(resolve('dist'));

before(async () => {
  setupChromium();
  trace = record('replay.migtrace', ['fault-link-cut'], 5);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  worker.dispose();
  stopWorker();
});

test('Replay to here starts the real adapter stopped at that time; the view follows its stops and a click seeks it', async () => {
  const w = await openWebview(browser.context);
  const sent: Promise<void>[] = [];
  const replays: ReplayConfig[] = [];
  let dap: DapClient | null = null;
  const c = new PanelController([trace], {
    post: (m: HostMessage) => void sent.push(m.type === 'load' ? w.load(m.data) : w.post(m)),
    log: () => undefined,
    load: (p) => worker.request({ op: 'timeline', paths: p }),
    startReplay: async (config) => {
      replays.push(config);
      return true;
    },
    seek: async (_path, time_ns) => {
      await dap!.ok('migtrace/goToTime', { time_ns });
    },
  });
  for (const m of await w.posted()) await c.onMessage(m);
  await Promise.all(sent);
  await frames(w.page);
  // zoom in on the run's fourth second and click a vCPU there: "Replay to here"
  await w.page.evaluate(() => (window as any).migtrace.setView(3.5e9, 4.5e9));
  await frames(w.page);
  let v = await view(w.page);
  const cpu = await lane(w.page, (l) => l.label === 'CPU 0/KVM');
  await w.page.mouse.click(...at(v, xOf(v, 4e9), cpu.y + 8));
  await w.page.click('.mt-details button[data-action="replay"]');
  for (const m of (await w.posted()).filter((x: any) => x.type === 'replayToHere')) await c.onMessage(m);
  assert.equal(replays.length, 1);
  const config = replays[0];
  assert.equal(config.trace, trace);
  assert.ok(config.stopAtTime >= 0 && config.stopAtTime <= 4e9, `the start of the state clicked: ${config.stopAtTime}`);
  // what VS Code would do with it: a session of the real adapter
  dap = processClient(['bin/migtrace.js', 'dap']);
  try {
    const r = await startSession(dap, config as unknown as Record<string, unknown>);
    assert.ok(r.success, r.message);
    const first = await dap.waitEvent('migtrace/stopped');
    const body = first.body as { time_ns: number };
    assert.ok(body.time_ns >= config.stopAtTime, `stopped at ${body.time_ns}, at or after ${config.stopAtTime}`);
    c.session(trace, true, config.name);
    c.stopped(trace, first.body);
    await Promise.all(sent);
    await w.page.waitForFunction(() => (window as any).migtrace.scene.session !== null);
    assert.equal(await w.page.evaluate(() => (window as any).migtrace.scene.session.t), body.time_ns);
    // a click seeks the session to the time clicked (the view came to the stop: a bit later
    // than it, in view); its next stop moves the cursor
    v = await view(w.page);
    const x = Math.round(xOf(v, body.time_ns + 0.3 * (v.v1 - v.v0)));
    await w.page.mouse.click(...at(v, x, cpu.y + 8));
    const seek = (await w.posted()).filter((m: any) => m.type === 'seek');
    assert.equal(seek.length, 1);
    const stopped = dap.waitEvent('migtrace/stopped');
    await c.onMessage(seek[0]);
    const next = (await stopped).body as { time_ns: number };
    assert.ok(next.time_ns >= (seek[0] as { time_ns: number }).time_ns, 'the session went there');
    c.stopped(trace, next);
    await Promise.all(sent);
    await w.page.waitForFunction((t) => (window as any).migtrace.scene.session?.t === t, next.time_ns);
    assert.match(await text(w.page, 'body'), /CPU 0\/KVM/);
    assert.deepEqual(w.errors, []);
  } finally {
    await dap.close();
    await w.page.close();
  }
});
