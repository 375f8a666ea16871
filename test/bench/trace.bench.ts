// Trace benchmarks (issue 4): bytes per event, the cost of recording while the model runs (a
// ratio against the same run without recording, measured in the same process), and the time to
// read and index a one-million-event trace. Goals: ≤ 16 bytes/event, ≤ 15% recording overhead,
// ≤ 300 ms to read 1 M events. Prints BENCH lines; never fails on time.
import { loadBuiltin, loadScenarioValue } from '../../engine/scenario/load';
import { runMigration } from '../../engine/model/run';
import { recordRun } from '../../engine/runtime/record';
import { MemorySink, type TraceSink } from '../../engine/trace/sink';
import { eventIndexAt, readTrace } from '../../engine/trace/reader';

function ms(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function run(): void {
  const sc = loadBuiltin('seed-specjbb-128g');
  const nowhere: TraceSink = { write() {}, close() {} };
  // Alternate plain and recorded runs; keep the best of each (the machine is shared and noisy).
  let plain = Infinity;
  let recorded = Infinity;
  for (let i = 0; i < 5; i++) {
    plain = Math.min(plain, ms(() => runMigration(sc.config)));
    recorded = Math.min(recorded, ms(() => recordRun(sc, nowhere)));
  }
  const sink = new MemorySink();
  const rec = recordRun(sc, sink).recording;
  console.log(`BENCH trace-bytes-per-event ${(sink.length / rec.events).toFixed(2)} bytes/event`);
  console.log(`BENCH trace-seed-specjbb-128g-events ${rec.events} events`);
  console.log(`BENCH trace-seed-specjbb-128g-bytes ${sink.length} bytes`);
  console.log(`BENCH trace-run-plain ${plain.toFixed(1)} ms`);
  console.log(`BENCH trace-run-recorded ${recorded.toFixed(1)} ms`);
  console.log(`BENCH trace-record-overhead ${(recorded / plain).toFixed(3)} x`);
  console.log(`BENCH trace-record-throughput ${Math.round(rec.events / ((recorded - plain) / 1000))} events/s`);

  // A trace of about one million events: a busy 64 GiB guest, cut to the first million events.
  const big = loadScenarioValue({ name: 'million', guest: { memory: '64G', vcpus: 8, workload: { kind: 'specjbb', 'working-set': '4G', 'dirty-rate': 50000 } }, migration: { profile: 'rfc-2012', 'max-bandwidth': '10G', 'downtime-limit': 2000 }, host: { profile: 'chegu-2012' }, limits: { 'max-time': 400 } }, 'million');
  const bigSink = new MemorySink();
  recordRun(big, bigSink);
  const bytes = bigSink.bytes();
  let count = 0;
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    best = Math.min(best, ms(() => {
      const t = readTrace(bytes);
      count = t.events.count;
      // The index by time: a seek to the middle and to every 1% of the run.
      const end = t.events.time[t.events.count - 1];
      for (let p = 0; p <= 100; p++) eventIndexAt(t, (end * p) / 100);
    }));
  }
  console.log(`BENCH trace-read-events ${count} events`);
  console.log(`BENCH trace-read-index-time ${best.toFixed(1)} ms`);
  console.log(`BENCH trace-read-index-per-million ${((best * 1e6) / count).toFixed(1)} ms`);
}
