// Files that are not whole traces, messages that do not match the schema, and traces whose text
// is markup: the view shows what could be read and why reading stopped (the reader's own words),
// never a blank page; the host (panelController.ts, with the real worker) refuses and logs bad
// messages; the page refuses bad ones too; nothing from a trace becomes markup or script.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, setupChromium, type Browser } from './chromium';
import { openWebview, type WebviewPage } from './webviewPage';
import { dir, hostTimeline, record, stopWorker } from './traces';
import { frames, lane, rowColors, text, themeColors, view } from './probe';
import { PanelController, type ReplayConfig } from '../../extension/timeline/panelController';
import { TimelineWorker } from '../../extension/timeline/workerClient';
import { readTraceFile } from '../../engine/cli/traceFile';
import { MAGIC } from '../../engine/trace/format';
import { encodePacket } from '../../engine/trace/packets';
import type { HostMessage } from '../../media/protocol';
import { resolve } from 'node:path';

let browser: Browser;
let small: string;
const worker = new TimelineWorker(resolve('dist'));

before(async () => {
  setupChromium();
  small = record('fault-link-cut.migtrace', ['fault-link-cut'], 5);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  worker.dispose();
  stopWorker();
});

/** A page and the host side that serves it, wired as the extension wires them. */
async function panel(paths: string[]): Promise<{ w: WebviewPage; c: PanelController; log: string[]; replays: ReplayConfig[]; seeks: [string, number][] }> {
  const w = await openWebview(browser.context);
  const log: string[] = [];
  const replays: ReplayConfig[] = [];
  const seeks: [string, number][] = [];
  const sent: Promise<void>[] = [];
  const c = new PanelController(paths, {
    post: (m: HostMessage) => void sent.push(m.type === 'load' ? w.load(m.data) : w.post(m)),
    log: (line) => log.push(line),
    load: (p) => worker.request({ op: 'timeline', paths: p }),
    startReplay: async (config) => {
      replays.push(config);
      return true;
    },
    seek: async (path, t) => {
      seeks.push([path, t]);
    },
  });
  // what the page says goes to the host, as VS Code delivers it
  for (const m of await w.posted()) await c.onMessage(m);
  await Promise.all(sent);
  if ((await w.page.evaluate(() => document.body.dataset.migtraceState)) === undefined) await w.page.waitForFunction(() => document.body.dataset.migtraceState !== undefined);
  await frames(w.page);
  return { w, c, log, replays, seeks };
}

function cut(path: string, name: string, f: (b: Buffer) => Buffer): string {
  const out = join(dir, name);
  writeFileSync(out, f(readFileSync(path)));
  return out;
}

test('a truncated trace shows what could be read, and where and why reading stopped, in the reader\'s words', async () => {
  const p = cut(small, 'truncated.migtrace', (b) => b.subarray(0, Math.floor(b.length * 0.6)));
  const stopped = readTraceFile(p).trace.stopped!;
  assert.match(stopped.reason, /ends inside the packet at byte \d+, which claims \d+ bytes; \d+ are there/);
  const { w } = await panel([p]);
  const banner = await text(w.page, '.mt-banner.mt-warn');
  assert.ok(banner.includes(stopped.reason), banner);
  assert.ok(banner.includes(`read up to byte ${stopped.offset}`), banner);
  // and the events before it are drawn
  const th = await themeColors(w.page);
  const cpu = await lane(w.page, (l) => l.label === 'CPU 0/KVM');
  const row = await rowColors(w.page, cpu.y + 10);
  assert.ok((row[th.state[0]] ?? 0) > 100, 'CPU 0/KVM\'s states are drawn');
  assert.ok(((await view(w.page)).lanes.length) > 5);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('a damaged trace (a flipped byte) stops at the damaged packet and says so', async () => {
  const p = cut(small, 'damaged.migtrace', (b) => {
    const c = Buffer.from(b);
    c[Math.floor(c.length / 2)] ^= 0x55;
    return c;
  });
  const stopped = readTraceFile(p).trace.stopped!;
  assert.match(stopped.reason, /^damaged: /);
  const { w } = await panel([p]);
  assert.ok((await text(w.page, '.mt-banner.mt-warn')).includes(stopped.reason));
  assert.ok((await view(w.page)).lanes.some((l) => l.label === 'CPU 0/KVM'));
  await w.page.close();
});

test('a file that is not a trace, and a trace of a newer format, are refused with the reader\'s reason, never a blank view', async () => {
  const foreign = join(dir, 'notes.migtrace');
  writeFileSync(foreign, 'these are my notes, not a trace\n');
  const newer = join(dir, 'newer.migtrace');
  writeFileSync(newer, Buffer.concat([Buffer.from(MAGIC), Buffer.from(encodePacket({ header: { format_version: 9, engine_version: '9.0.0', scenario_name: 'x' } }).bytes)]));
  for (const [p, want] of [[foreign, /not a migtrace trace: it starts with 74 68 65 73 65 20 61 72, expected 89 4d 49 47 54 52 43 0a/], [newer, /this trace has format version 9, newer than this migtrace reads \(1\); use a newer migtrace/]] as const) {
    let why = '';
    try {
      readTraceFile(p);
    } catch (e) {
      why = (e as Error).message;
    }
    assert.match(why, want);
    const { w, log } = await panel([p]);
    assert.equal(await w.page.evaluate(() => document.body.dataset.migtraceState), 'error');
    const shown = await text(w.page, '.mt-error');
    assert.ok(shown.includes(why), `${shown} shows ${why}`);
    assert.match(shown, /cannot be shown as a timeline/);
    assert.deepEqual(log.filter((l) => l.includes('failed')), [], 'a file that is not a trace is no bug to log');
    assert.deepEqual(w.errors, []);
    await w.page.close();
  }
});

test('the host refuses and logs webview messages that do not match the schema, and acts on those that do', async () => {
  const { w, c, log, replays, seeks } = await panel([small]);
  const bad: unknown[] = [
    null,
    'replayToHere',
    { type: 'runShell', command: 'rm -rf /' },
    { type: 'replayToHere', trace: 0, time_ns: -5 },
    { type: 'replayToHere', trace: 0, time_ns: 1.5 },
    { type: 'replayToHere', trace: 2, time_ns: 5 },
    { type: 'replayToHere', trace: 0, time_ns: 5, trace_path: '/etc/passwd' },
    { type: 'seek', trace: 0, time_ns: '5' },
    { type: 'error', message: 'x'.repeat(5000) },
  ];
  for (const m of bad) await c.onMessage(m);
  assert.equal(log.filter((l) => l.includes('refused a message from the webview')).length, bad.length, log.join('\n'));
  assert.deepEqual(replays, []);
  await c.onMessage({ type: 'seek', trace: 0, time_ns: 5 });
  assert.deepEqual(seeks, [], 'no seek without a running session');
  assert.ok(log.some((l) => l.includes('no migtrace debug session runs')));
  await c.onMessage({ type: 'replayToHere', trace: 0, time_ns: 3_000_000_000 });
  assert.deepEqual(replays, [{ type: 'migtrace', request: 'launch', name: 'Replay to here', trace: small, stopAtTime: 3_000_000_000 }]);
  c.session(small, true, 'Replay to here');
  await c.onMessage({ type: 'seek', trace: 0, time_ns: 7 });
  assert.deepEqual(seeks, [[small, 7]]);
  await w.page.close();
});

test('the page refuses host messages that do not match the schema, and a timeline it cannot unpack is an error shown, not a blank page', async () => {
  const w = await openWebview(browser.context);
  const warnings: string[] = [];
  w.page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await w.post({ type: 'stopped', trace: 0, time_ns: -1, reason: '' });
  await w.post({ type: 'load', data: 5 });
  await w.post({ type: 'eval', code: 'alert(1)' });
  await w.page.waitForFunction(() => true);
  assert.equal(warnings.filter((x) => x.startsWith('migtrace timeline: refused a message from the host')).length, 3, warnings.join('\n'));
  assert.equal(await text(w.page, '.mt-status'), 'Reading the trace…', 'still waiting for a valid message');
  const good = await hostTimeline([small]);
  await w.load({ ...good, buffers: good.buffers.slice(1) });
  assert.equal(await w.page.evaluate(() => document.body.dataset.migtraceState), 'error');
  assert.match(await text(w.page, '.mt-error'), /timeline data with \d+ buffers for 1 traces/);
  assert.ok((await w.posted()).some((m: any) => m.type === 'error'), 'and tells the host');
  await w.page.close();
});

test('scenario text and names that are markup stay text: no element, no script from the trace', async () => {
  const scenario = join(dir, 'evil.migscenario.json');
  writeFileSync(scenario, JSON.stringify({
    name: '<script>window.__pwned=1</script><b>evil</b>',
    description: '"><img src=x onerror="window.__pwned=2"> </script><script>window.__pwned=3</script>',
    guest: { memory: '1G', vcpus: 2, workload: { kind: 'specjbb', 'working-set': '128M', 'dirty-rate': 20000, stop: 3 } },
    migration: { profile: 'qemu-1.4', 'max-bandwidth': '1G', 'downtime-limit': 300 },
  }));
  const p = record('evil.migtrace', [scenario]);
  const { w } = await panel([p]);
  assert.equal(await w.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await w.page.evaluate(() => document.querySelectorAll('img, script:not([src])').length), 0, 'no element from the trace');
  assert.equal(await w.page.evaluate(() => Array.from(document.querySelectorAll('b')).filter((b) => b.textContent === 'evil').length), 0, 'its <b> is text');
  assert.ok((await text(w.page, 'header.mt-head')).includes('<script>window.__pwned=1</script><b>evil</b>'), 'shown as the text it is');
  await w.page.fill('input.mt-search', '<img');
  assert.equal(await w.page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.deepEqual(w.errors, []);
  await w.page.close();
});

test('the page\'s CSP holds in Chromium: an inline script or eval injected into it does not run', async () => {
  const { w } = await panel([small]);
  // (code the DevTools protocol evaluates may eval; a timer's callback runs as the page's own code)
  const r = await w.page.evaluate(() => new Promise((resolve) => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = 1';
    document.body.append(s);
    setTimeout(() => {
      let evaluated = 'ran';
      try {
        (0, eval)('1');
      } catch (e) {
        evaluated = (e as Error).name;
      }
      resolve({ ran: (window as unknown as { __ran?: number }).__ran, evaluated });
    }, 0);
  }));
  assert.deepEqual(r, { ran: undefined, evaluated: 'EvalError' });
  await w.page.close();
});
