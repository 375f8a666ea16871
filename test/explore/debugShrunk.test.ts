// What the editor command does last: open the shrunk trace in a migtrace debug session with the
// launch configuration it builds, through the real debug adapter (dist/debugAdapter.js over stdio,
// a DAP client as VS Code speaks it): the session replays the trace and stops at the hang, the
// exception naming the deadlock and the migration thread in multifd_send_sync_main.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migtrace, tmp, TINY } from './cliUtil';
import { processClient, startSession } from '../debug/dapClient';
import { shrunkTraceLaunch } from '../../extension/explore/exploreSession';

test('the shrunk trace opens in the debugger stopped at the hang', async () => {
  const dir = tmp('debug-shrunk');
  const r = migtrace(['explore', 'multifd-sync-hang', ...TINY, '--runs', '12', '--out-dir', join(dir, 'out'), '--json', '-q']);
  assert.equal(r.status, 3, r.stderr);
  const trace = (JSON.parse(r.stdout) as { groups: { witness: { trace: string } }[] }).groups[0].witness.trace;
  const c = processClient(['dist/debugAdapter.js']);
  try {
    const { type: _t, request: _r, ...launch } = shrunkTraceLaunch(trace, 'shrunk');
    await startSession(c, launch);
    const stopped = await c.waitEvent('stopped');
    assert.equal(stopped.body.reason, 'exception');
    const x = await c.ok('exceptionInfo', { threadId: stopped.body.threadId });
    assert.match(x.description, /deadlock/);
    const threads = (await c.ok('threads')).threads as { id: number; name: string }[];
    const mig = threads.find((t) => /mig\/src\/main/.test(t.name));
    assert.ok(mig, threads.map((t) => t.name).join(', '));
    const st = await c.ok('stackTrace', { threadId: mig!.id });
    assert.equal(st.stackFrames[0].name.split(' ')[0], 'multifd_send_sync_main');
  } finally {
    await c.close();
  }
});
