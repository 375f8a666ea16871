// The schedule-search worker thread (bundled as dist/exploreWorker.js): runs the jobs its pool
// sends, one at a time, against the target it was started with.

import { parentPort, workerData } from 'node:worker_threads';
import { executeJob, type RunJob } from './execute';
import type { TargetSpec } from './target';

const spec = (workerData as { spec: TargetSpec }).spec;
const port = parentPort;
if (port === null) throw new Error('exploreWorker.js runs as a worker thread of migtrace explore');
port.on('message', (m: { job: RunJob }) => {
  try {
    port.postMessage({ record: executeJob(spec, m.job) });
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
