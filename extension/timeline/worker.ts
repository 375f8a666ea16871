// The timeline's worker thread (dist/timelineWorker.js): the slow parts of opening a trace, off
// the extension host's thread. It reads one or two traces into the timeline's columns and hands
// them back as transferable buffers (no copy), or writes a Perfetto export or an HTML report.
// Errors come back as messages, the reader's own words.

import { parentPort } from 'node:worker_threads';
import { loadTimeline } from '../../engine/cli/timelineFiles';
import { packTimeline } from '../../engine/trace/timelineData';
import { TraceError } from '../../engine/trace/format';
import { readTraceFile } from '../../engine/cli/traceFile';
import { exportPerfetto } from '../../engine/trace/perfettoExport';
import { withOutput } from '../../engine/cli/fileSink';
import { rendererAssets, reportHtml } from '../../engine/cli/reportCommand';
import { basename } from 'node:path';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

function run(req: WorkerRequest): WorkerReply {
  try {
    switch (req.op) {
      case 'timeline': {
        const started = Date.now();
        const packed = packTimeline(loadTimeline(req.paths));
        return { id: req.id, ok: true, op: 'timeline', data: packed, ms: Date.now() - started };
      }
      case 'perfetto': {
        const f = readTraceFile(req.paths[0]);
        let packets = 0;
        const bytes = withOutput(req.out, (put) => ({ packets } = exportPerfetto(f.trace, { write: put })));
        return { id: req.id, ok: true, op: 'done', text: `wrote ${req.out}: Perfetto trace, ${packets} packets, ${bytes} bytes${f.trace.stopped ? ` (the trace is incomplete: ${f.trace.stopped.reason})` : ''}` };
      }
      case 'report': {
        const html = reportHtml(loadTimeline(req.paths), req.paths.map((p) => basename(p)), rendererAssets());
        const bytes = withOutput(req.out, (put) => put(html));
        return { id: req.id, ok: true, op: 'done', text: `wrote ${req.out}: ${bytes} bytes` };
      }
    }
  } catch (e) {
    const known = e instanceof TraceError;
    return { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e), known, stack: known ? undefined : (e as Error)?.stack };
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  const reply = run(req);
  parentPort!.postMessage(reply, reply.ok && reply.op === 'timeline' ? reply.data.buffers : []);
});
