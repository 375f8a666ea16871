// Real QEMU (Debian's qemu-system-x86, installed by scripts/setup-qemu.mjs): a migration of the
// 150 MiB migration-test guest on loopback through the shipped CLI, read back by info, exported
// to Perfetto, compared with the model; Ctrl-C in the middle leaves nothing behind.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { perfetto } from '../../engine/trace/gen/perfetto';

const dir = mkdtempSync(join(tmpdir(), 'migtrace-qemu-test-'));
// The CLI's temporary directory is this test's own: the QEMUs it starts name it in their command
// lines, so "none left running" counts ours, not those another process on the machine runs.
const env = { ...process.env, TMPDIR: dir };
const cli = (args: string[]) => spawnSync(process.execPath, ['bin/migtrace.js', ...args], { encoding: 'utf8', timeout: 120_000, env });

/** QEMU processes whose command line mentions `needle` (ours name their work directory). */
function qemusWith(needle: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(needle)) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

before(() => {
  const r = spawnSync(process.execPath, ['scripts/setup-qemu.mjs'], { encoding: 'utf8', timeout: 900_000 });
  assert.equal(r.status, 0, `scripts/setup-qemu.mjs could not provide QEMU: ${r.stderr}`);
});

const real = join(dir, 'real.migtrace');

test('qemu-run migrates the 150 MiB migration-test guest between two real QEMUs to completion, and the guest runs on the destination', () => {
  const r = cli(['qemu-run', 'qtest-bootblock', '-o', real, '--json', '-q']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout) as Record<string, unknown> & { ram: Record<string, number> };
  assert.equal(j.status, 'completed');
  assert.equal(j.outcome, 'completed');
  assert.equal(j['destination-running'], true);
  assert.match(String(j['qemu-version']), /^QEMU emulator version \d+\.\d+/);
  assert.equal(j.ram.total, 157_818_880, '150 MiB of guest RAM (plus the BIOS and option ROMs QEMU migrates with it)');
  // The guest's 99 MiB were sent at least once.
  assert.ok(j.ram.transferred > 99 * 1024 * 1024, `transferred ${j.ram.transferred}`);
  assert.ok(j.ram['dirty-sync-count'] >= 2);
  assert.ok((j['total-time'] as number) > 0 && (j.downtime as number) > 0, 'total-time and downtime, not the 0 QEMU 7.2 reports for a moment after completing');
  assert.ok(existsSync(real) && !existsSync(`${real}.partial`));
  assert.deepEqual(qemusWith(join(dir, 'migtrace-qemu-run-')), [], 'no QEMU left running');
});

test('the real trace reads back in info: a whole trace of a real migration, with its QEMU and outcome', () => {
  const r = cli(['info', real]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /a real QEMU migration/);
  assert.match(r.stdout, /^complete: read to its footer/m);
  assert.match(r.stdout, /run: +qtest-bootblock, 0\.15 GiB \/ 1 vCPUs; QEMU emulator version/);
  assert.match(r.stdout, /wall-clock time/);
  const events = /^events: +\d+ distinct QEMU trace points; (.*)$/m.exec(r.stdout)?.[1] ?? '';
  for (const kind of ['status', 'qemu-trace', 'stats', 'sync']) assert.match(events, new RegExp(`\\b\\d+ ${kind}\\b`), `${kind} in "${events}"`);
  assert.match(r.stdout, /outcome: +completed \(completed, total time \d+ ms, downtime \d+ ms, transferred \d+ kbytes, guest running on the destination\)/);
});

test('the real trace exports to Perfetto with the stages, the query-migrate counters and QEMU\'s trace events on their threads', () => {
  const out = join(dir, 'real.pftrace');
  const r = cli(['export', real, '--perfetto', out]);
  assert.equal(r.status, 0, r.stderr);
  const t = perfetto.protos.Trace.decode(readFileSync(out));
  const tracks = new Map<string, perfetto.protos.ITrackDescriptor>();
  for (const p of t.packet) if (p.track_descriptor) tracks.set(String(p.track_descriptor.uuid), p.track_descriptor);
  const name = (uuid: unknown) => {
    const d = tracks.get(String(uuid));
    return d?.thread?.thread_name ?? d?.name ?? '';
  };
  const events = t.packet.filter((p) => p.track_event).map((p) => ({ name: p.track_event!.name ?? '', type: p.track_event!.type, track: name(p.track_event!.track_uuid), counter: p.track_event!.counter_value ?? p.track_event!.double_counter_value }));
  // Stages, as slices on the migration track.
  const stages = events.filter((e) => e.type === perfetto.protos.TrackEvent.Type.TYPE_SLICE_BEGIN && e.track === 'migration').map((e) => e.name);
  assert.ok(stages.includes('setup (setup)') && stages.includes('iterative (active)'), `stages: ${stages.join(', ')}`);
  // query-migrate samples as counters.
  const counters = events.filter((e) => e.type === perfetto.protos.TrackEvent.Type.TYPE_COUNTER);
  for (const c of ['remaining (bytes)', 'transferred (bytes)', 'throughput (mbps)']) assert.ok(counters.some((e) => e.track === c), `counter ${c}`);
  assert.ok(counters.some((e) => e.track === 'transferred (bytes)' && Number(e.counter) > 99 * 1024 * 1024));
  // QEMU's trace events as instants on the thread that emitted them: the migration thread.
  const instants = events.filter((e) => e.type === perfetto.protos.TrackEvent.Type.TYPE_INSTANT);
  for (const ev of ['migrate_set_state', 'migration_bitmap_sync_end', 'migration_completion_vm_stop']) {
    assert.ok(instants.some((e) => e.name === ev && e.track === 'live_migration'), `${ev} on live_migration (${[...new Set(instants.map((e) => `${e.name}@${e.track}`))].join(', ')})`);
  }
  // The destination's events on its own threads.
  assert.ok(instants.some((e) => e.name === 'qemu_loadvm_state_post_main' && e.track.startsWith('dst ')));
});

test('run --compare holds the model against the real run and writes both timelines', () => {
  const r = cli(['run', 'qtest-bootblock', '--compare', real, '-q', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { model: Record<string, unknown>; recorded: Record<string, unknown>; ratio: Record<string, number>; traces: Record<string, string> };
  assert.equal(j.model.converged, true);
  assert.equal(j.recorded.converged, true);
  assert.match(String(j.recorded.label), /^real \(QEMU 7\./);
  for (const k of ['total-time-ms', 'downtime-ms', 'transferred-bytes', 'iterations', 'mean-gbps']) assert.ok(Number.isFinite(j.ratio[k]), k);
  assert.ok(existsSync(j.traces.model));
  const both = JSON.parse(readFileSync(j.traces['side-by-side'], 'utf8')) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
  const procs = both.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name!);
  assert.deepEqual(procs.map((n) => n.split(':')[0]), ['model', 'model', 'real', 'real']);
  const text = cli(['run', 'qtest-bootblock', '--compare', real, '-q', '--out', join(dir, 'm2.migtrace')]);
  assert.match(text.stdout, /^converged +yes +yes +agree$/m);
  assert.match(text.stdout, /^transferred +[\d.]+ MB +[\d.]+ MB +[\d.]+$/m);
});

test('qemu-run refuses what a real QEMU cannot run, naming why; a bad --compare file fails before simulating', () => {
  const r = cli(['qemu-run', 'seed-idle-128g', '-o', join(dir, 'x.migtrace')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /migration-test guest only; guest\.workload\.kind is "idle"/);
  const b = cli(['qemu-run', 'qtest-bootblock', '--set', 'migration.bugs=["aa723c23147e"]', '-o', join(dir, 'x.migtrace')]);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /bug variants exist in the model only/);
  assert.ok(!existsSync(join(dir, 'x.migtrace')) && !existsSync(join(dir, 'x.migtrace.partial')));
  const c = cli(['run', 'qtest-bootblock', '--compare', join(dir, 'nope.migtrace')]);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /nope\.migtrace: no such file/);
});

test('Ctrl-C during qemu-run kills both QEMUs, removes the work directory and leaves no trace under the final name', async () => {
  const out = join(dir, 'interrupted.migtrace');
  // 32 MB/s with a 300 ms limit never converges: the migration is still running when interrupted.
  const child = spawn(process.execPath, ['bin/migtrace.js', 'qemu-run', 'qtest-bootblock', '--set', 'migration.max-bandwidth="32M"', '--set', 'migration.downtime-limit=300', '--set', 'limits.max-time=60', '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : null))));
  // Wait until both QEMUs run and the migration is under way.
  const deadline = Date.now() + 30_000;
  let mine: number[] = [];
  while (Date.now() < deadline) {
    mine = qemusWith('migtrace-qemu-run-').filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(child.pid);
      } catch {
        return false;
      }
    });
    if (mine.length === 2 && stderr.includes('active')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mine.length, 2, `two QEMUs started (stderr: ${stderr})`);
  // The work directory is named in the QEMUs' command lines (their logs and sockets live there).
  const cmd = readFileSync(`/proc/${mine[0]}/cmdline`, 'utf8');
  const work = /(\/[^\0,]*migtrace-qemu-run-[^/\0,]+)\//.exec(cmd)?.[1];
  assert.ok(work !== undefined && existsSync(work), `work directory in ${cmd}`);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  await new Promise((r) => setTimeout(r, 200));
  for (const pid of mine) assert.ok(!existsSync(`/proc/${pid}/stat`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), `QEMU ${pid} was killed`);
  assert.ok(!existsSync(out), 'no trace under the final name');
  assert.ok(!existsSync(work), `${work} was removed`);
});

test('cleanup', () => {
  rmSync(dir, { recursive: true, force: true });
});
