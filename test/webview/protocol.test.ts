// The webview ↔ host message schema (media/protocol.ts) and the page the host builds
// (extension/timeline/webviewHtml.ts): what passes and what is refused, and a CSP with nothing
// but the nonce and the webview's own origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHostMessage, checkViewMessage } from '../../media/protocol';
import { contentSecurityPolicy, webviewHtml } from '../../extension/timeline/webviewHtml';
import { PanelController } from '../../extension/timeline/panelController';
import type { WorkerReply } from '../../extension/timeline/workerProtocol';
import type { HostMessage } from '../../media/protocol';

test('webview messages: the four kinds pass; anything else, or with a wrong or extra field, is refused with the reason', () => {
  for (const ok of [{ type: 'ready' }, { type: 'replayToHere', trace: 0, time_ns: 0 }, { type: 'replayToHere', trace: 1, time_ns: 605_463_413_543 }, { type: 'seek', trace: 0, time_ns: 5 }, { type: 'error', message: 'x' }]) {
    assert.equal(checkViewMessage(ok), null, JSON.stringify(ok));
  }
  const bad: [unknown, RegExp][] = [
    [undefined, /not an object/],
    [[{ type: 'ready' }], /not an object/],
    [{ type: 'exec', cmd: 'ls' }, /unknown message type "exec"/],
    [{ type: 'ready', extra: 1 }, /ready: unexpected field "extra"/],
    [{ type: 'replayToHere', trace: 0 }, /field "time_ns" must be a non-negative integer \(ns\)/],
    [{ type: 'replayToHere', trace: 0, time_ns: 2 ** 60 }, /time_ns/],
    [{ type: 'replayToHere', trace: 0, time_ns: Number.NaN }, /time_ns/],
    [{ type: 'replayToHere', trace: '0', time_ns: 1 }, /field "trace" must be 0 or 1/],
    [{ type: 'seek', trace: 3, time_ns: 1 }, /field "trace" must be 0 or 1/],
    [{ type: 'error', message: 'x'.repeat(4097) }, /at most 4096 characters/],
    [{ type: { toString: () => 'ready' } }, /unknown message type/],
    [{ type: '__proto__' }, /unknown message type/],
  ];
  for (const [m, why] of bad) assert.match(String(checkViewMessage(m)), why, JSON.stringify(m));
});

test('host messages: load, loadError, session and stopped pass; the rest is refused', () => {
  assert.equal(checkHostMessage({ type: 'load', data: { layout: 1 } }), null);
  assert.equal(checkHostMessage({ type: 'stopped', trace: 0, time_ns: 12, reason: 'step' }), null);
  assert.match(String(checkHostMessage({ type: 'stopped', trace: 0, time_ns: -1, reason: '' })), /time_ns/);
  assert.match(String(checkHostMessage({ type: 'load', data: null })), /field "data" must be a object/);
  assert.match(String(checkHostMessage({ type: 'html', html: '<b>' })), /unknown message type/);
});

test('the webview page: our script and stylesheet by nonce and origin only; no inline script, no eval, nothing remote', () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'bm9uY2Vub25jZW5vbmNl');
  assert.equal(csp, "default-src 'none'; img-src https://x.vscode-cdn.net data:; style-src https://x.vscode-cdn.net 'nonce-bm9uY2Vub25jZW5vbmNl'; script-src 'nonce-bm9uY2Vub25jZW5vbmNl'; font-src https://x.vscode-cdn.net; base-uri 'none'; form-action 'none'");
  const html = webviewHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'bm9uY2Vub25jZW5vbmNl', scriptUri: 'https://x.vscode-cdn.net/dist/timeline.js', styleUri: 'https://x.vscode-cdn.net/dist/timeline.css' });
  assert.ok(!/unsafe-(inline|eval)/.test(html));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="bm9uY2Vub25jZW5vbmNl" src="https:\/\/x\.vscode-cdn\.net\/dist\/timeline\.js"><\/script>/);
  assert.throws(() => webviewHtml({ cspSource: 'x', nonce: "a' 'unsafe-inline", scriptUri: '', styleUri: '' }), /nonce/);
});

test('a page that reloads (its tab hidden and shown again) gets the running session and its last stop again; not once the session ended', async () => {
  const posted: HostMessage[] = [];
  const c = new PanelController(['/x/a.migtrace'], {
    post: (m) => void posted.push(m),
    log: () => undefined,
    load: async () => ({ id: 1, ok: true, op: 'timeline', data: { layout: 1, metas: [], divergence: null, buffers: [] }, ms: 0 }) as unknown as WorkerReply,
    startReplay: async () => true,
    seek: async () => undefined,
  });
  c.session('/x/a.migtrace', true, 'Replay to here');
  c.stopped('/x/a.migtrace', { time_ns: 8_332_000_000, reason: 'goto' });
  posted.length = 0;
  await c.onMessage({ type: 'ready' });
  assert.deepEqual(posted.map((m) => m.type), ['load', 'session', 'stopped']);
  assert.equal((posted[2] as { time_ns: number }).time_ns, 8_332_000_000);
  c.session('/x/a.migtrace', false, 'Replay to here');
  posted.length = 0;
  await c.onMessage({ type: 'ready' });
  assert.deepEqual(posted.map((m) => m.type), ['load']);
});
