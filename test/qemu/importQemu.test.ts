// import-qemu on real captured logs (test/fixtures/qemu, README there), and on damaged copies of
// them: truncated, garbled, interleaved with noise. Bad lines are counted, never fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../../engine/cli/main';
import { importQemu } from '../../engine/qemu/importQemu';
import { parseTraceLog } from '../../engine/qemu/traceLog';
import { parseQmpSamples } from '../../engine/qemu/qmpSamples';
import { MemorySink } from '../../engine/trace/sink';
import { isComplete, readTrace, type TraceData } from '../../engine/trace/reader';
import { EK } from '../../engine/trace/format';
import { captureIO } from '../cli/captureIO';

const FIX = 'test/fixtures/qemu';
const read = (p: string) => readFileSync(join(FIX, p), 'utf8');
const nonEmpty = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;

function countKind(t: TraceData, kind: number, fnName?: string): number {
  const fn = fnName === undefined ? -1 : t.functions.indexOf(fnName);
  let n = 0;
  for (let i = 0; i < t.events.count; i++) if (t.events.kind[i] === kind && (fn < 0 || t.events.b[i] === fn)) n++;
  return n;
}

function modelPayloads(t: TraceData, kind: string): Record<string, unknown>[] {
  return t.model.filter((m) => m.kind === kind).map((m) => m.payload as Record<string, unknown>);
}

async function cliImport(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['import-qemu', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

test('import-qemu turns a captured precopy migration into a whole trace: status changes, syncs, samples, every trace line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migtrace-import-'));
  try {
    const out = join(dir, 'precopy.migtrace');
    const r = await cliImport([join(FIX, 'precopy/src.log'), '--dst-log', join(FIX, 'precopy/dst.log'), '--qmp', join(FIX, 'precopy/progress.jsonl'), '-o', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /21 log lines \(0 malformed\) and 4 query-migrate samples \(0 malformed\)/);
    assert.match(r.out, /last sample: completed, total time \d+ ms/);
    const t = readTrace(readFileSync(out));
    assert.ok(isComplete(t));
    assert.equal(t.header.source, 'qemu');
    // Every log line is an instant on its thread, with its arguments.
    assert.equal(countKind(t, EK.QEMU_TRACE), nonEmpty(read('precopy/src.log')) + nonEmpty(read('precopy/dst.log')));
    const statuses = modelPayloads(t, 'status').map((p) => p.to);
    assert.deepEqual(statuses, ['setup', 'active', 'completed']);
    const syncs = modelPayloads(t, 'sync');
    assert.equal(syncs.length, 3);
    assert.deepEqual(syncs.map((s) => s['dirty-sync-count']), [1, 2, 3]);
    assert.equal(modelPayloads(t, 'stats').length, 4);
    // migration_bitmap_sync start/end pairs are slices on the migration thread.
    assert.equal(countKind(t, EK.FRAME_PUSH, 'migration_bitmap_sync'), 3);
    assert.equal(countKind(t, EK.FRAME_POP, 'migration_bitmap_sync'), 3);
    const summary = t.footer!.summary as Record<string, unknown>;
    assert.equal(summary.outcome, 'completed');
    assert.equal((summary.ram as Record<string, number>)['dirty-sync-count'], 3);
    // Destination threads are named as such.
    assert.ok(t.threads.some((th) => th.name.startsWith('dst ') && th.role === 'destination'));
    // And it reads back in info.
    const info = captureIO();
    assert.equal(await main(['info', out], info), 0);
    assert.match(info.stdout.join('\n'), /a real QEMU migration/);
    assert.match(info.stdout.join('\n'), /outcome: +completed \(completed, total time \d+ ms, downtime \d+ ms/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import-qemu: multifd sync rounds become one slice each; a cancelled run keeps its last figures', () => {
  const sink = new MemorySink();
  importQemu({
    logs: [{ side: 'source', pid: -1, log: parseTraceLog(read('multifd/src.log')) }, { side: 'destination', pid: -1, log: parseTraceLog(read('multifd/dst.log')) }],
    samples: parseQmpSamples(read('multifd/progress.jsonl')),
    scenario_name: 'multifd',
    scenario_json: '',
  }, sink);
  const t = readTrace(sink.bytes());
  const rounds = (read('multifd/src.log').match(/multifd_send_sync_main packet num/g) ?? []).length;
  assert.ok(rounds >= 3);
  assert.equal(countKind(t, EK.FRAME_PUSH, 'multifd_send_sync_main'), rounds);
  assert.equal(countKind(t, EK.FRAME_POP, 'multifd_send_sync_main'), rounds);

  const sink2 = new MemorySink();
  const { final } = importQemu({
    logs: [{ side: 'source', pid: -1, log: parseTraceLog(read('cancelled/src.log')) }],
    samples: parseQmpSamples(read('cancelled/progress.jsonl')),
    scenario_name: 'cancelled',
    scenario_json: '',
  }, sink2);
  assert.equal(final?.status, 'cancelled');
  const t2 = readTrace(sink2.bytes());
  const s = t2.footer!.summary as Record<string, unknown>;
  assert.equal(s.outcome, 'not-converged');
  assert.equal(s.status, 'cancelled');
  // query-migrate says only {"status": "cancelled"} at the end: the figures are the last active sample's.
  const lastActive = read('cancelled/progress.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { return: { status: string; ram?: { transferred: number } } }).filter((x) => x.return.ram).pop()!;
  assert.equal((s.ram as Record<string, number>).transferred, lastActive.return.ram!.transferred);
  assert.deepEqual(modelPayloads(t2, 'status').map((p) => p.to), ['setup', 'active', 'cancelling', 'cancelled']);
});

/** A copy of `text` with some lines replaced by garbage and the end cut off. */
const damaged = (text: string) =>
  fc.record({
    garble: fc.array(fc.nat(), { maxLength: 8 }),
    junk: fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('@@not a trace line'), fc.constant('{"status": "active", "ram": ')), { minLength: 8, maxLength: 8 }),
    cut: fc.integer({ min: 0, max: 1000 }),
  }).map(({ garble, junk, cut }) => {
    const lines = text.split('\n');
    const hit = new Set<number>();
    garble.forEach((g, i) => {
      const at = g % lines.length;
      if (lines[at].trim() === '') return;
      // '#' can start neither a trace line nor a JSON object, so these are bad whatever the junk
      lines[at] = `#${junk[i].replace(/[\r\n]/g, ' ')}`;
      hit.add(at);
    });
    const whole = lines.join('\n');
    const joined = whole.slice(0, Math.floor((whole.length * cut) / 1000));
    const kept = joined.split('\n');
    const garbledKept = [...hit].filter((h) => h < kept.length && kept[h].trim() !== '').length;
    return { text: joined, garbledKept };
  });

test('property: damaged logs and samples import without a crash; every garbled line is counted, and the trace is whole', () => {
  const src = read('cancelled/src.log');
  const qmp = read('cancelled/progress.jsonl');
  fc.assert(
    fc.property(damaged(src), damaged(qmp), (l, q) => {
      const log = parseTraceLog(l.text);
      const samples = parseQmpSamples(q.text);
      assert.equal(log.total, nonEmpty(l.text));
      assert.equal(log.lines.length + log.malformed, log.total);
      // the garbled lines, plus at most the line the cut went through
      assert.ok(log.malformed >= l.garbledKept && log.malformed <= l.garbledKept + 1, `log: ${log.malformed} malformed, ${l.garbledKept} garbled`);
      assert.ok(samples.malformed >= q.garbledKept && samples.malformed <= q.garbledKept + 1, `samples: ${samples.malformed} malformed, ${q.garbledKept} garbled`);
      assert.equal(samples.samples.length + samples.malformed, samples.total);
      const sink = new MemorySink();
      const { report } = importQemu({ logs: [{ side: 'source', pid: -1, log }], samples, scenario_name: 'damaged', scenario_json: '' }, sink);
      assert.equal(report.log_malformed, log.malformed);
      assert.equal(report.samples_malformed, samples.malformed);
      assert.ok(report.log_malformed_examples.length === Math.min(5, log.malformed));
      const t = readTrace(sink.bytes());
      assert.ok(isComplete(t), t.stopped?.reason);
      assert.equal(countKind(t, EK.QEMU_TRACE), log.lines.length);
    }),
    { numRuns: 300, seed: 6 },
  );
});

test('import-qemu: a file with no readable line is a clear error naming the first bad line, and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migtrace-import-'));
  try {
    const bad = join(dir, 'garbage.log');
    writeFileSync(bad, 'this is not a trace\n\x00\x01\x02 binary junk\n');
    const out = join(dir, 'x.migtrace');
    const r = await cliImport([bad, '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no trace event line could be read \(2 malformed lines, first: line 1: "this is not a trace"\)/);
    assert.ok(!existsSync(out) && !existsSync(`${out}.partial`));
    const missing = await cliImport([join(dir, 'nope.log'), '-o', out]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /trace log .*nope\.log: no such file/);
    // Damaged lines in a readable log are reported, with examples, and the import goes on.
    const mixed = join(dir, 'mixed.log');
    writeFileSync(mixed, `${read('precopy/src.log')}garbage line\n123@bad:timestamp x\n`);
    const m = await cliImport([mixed, '-o', out]);
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /\(2 malformed\)/);
    assert.match(m.out, /malformed source log line \d+: garbage line/);
    assert.ok(existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('query-migrate samples in guestperf\'s shapes: Progress records one per line, or a whole report\'s progress_history', () => {
  // Written for this test in the shape of QEMU's tests/migration/guestperf (progress.py, report.py).
  const progress = (now: number, status: string, transferred: number, iterations: number) => ({
    status, now, duration: Math.round((now - 1000) * 1000), downtime: status === 'completed' ? 42 : 0, downtime_expected: 300, setup_time: 3, throttle_pcent: 0,
    ram: { transferred_bytes: transferred, remaining_bytes: 0, total_bytes: 1 << 30, duplicate_pages: 10, skipped_pages: 0, normal_pages: transferred >> 12, normal_bytes: transferred, dirty_rate_pps: 100, transfer_rate_mbs: 900, iterations },
  });
  const records = [progress(1000.1, 'active', 1e7, 1), progress(1000.2, 'active', 2e7, 2), progress(1000.35, 'completed', 3e7, 3)];
  const lines = parseQmpSamples(records.map((r) => JSON.stringify(r)).join('\n'));
  const report = parseQmpSamples(JSON.stringify({ hardware: {}, scenario: {}, progress_history: records, guest_timings: {} }, null, 2));
  for (const p of [lines, report]) {
    assert.equal(p.malformed, 0);
    assert.equal(p.samples.length, 3);
    // "now" is time.time(): seconds since the epoch.
    assert.equal(p.samples[0].time_us, 1000.1e6);
    assert.equal(Math.round(p.samples[2].time_us - p.samples[0].time_us), 250_000);
    const last = p.samples[2].info;
    assert.equal(last.status, 'completed');
    assert.equal(last.downtime, 42);
    assert.equal(last['total-time'], 350);
    assert.equal(last.ram?.transferred, 3e7);
    assert.equal(last.ram?.['dirty-sync-count'], 3);
  }
});
