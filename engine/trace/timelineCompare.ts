// Two traces on one time axis, and where they first part ways. Two simulated runs of one scenario
// (a failing and a passing seed, say) are compared event by event: the first event that differs
// is where their schedules split. A real QEMU run beside the model's run of its scenario have no
// events in common, so they are compared by milestone (each dirty-bitmap sync, then the final
// status): the first milestone one has and the other does not, or that happens at clearly
// different times (more than a tenth of the longer run apart), is where they diverge.

import { formatNs } from '../sim/hangReport';
import { EK } from './format';
import type { TraceData } from './reader';
import { describeEvent } from './describe';
import type { TimelineDivergence } from './timelineData';

interface Milestone {
  name: string;
  time_ns: number;
}

function start(t: TraceData): number {
  return t.events.count > 0 ? t.events.time[0] : 0;
}

function end(t: TraceData): number {
  return t.events.count > 0 ? t.events.time[t.events.count - 1] - start(t) : 0;
}

function milestones(t: TraceData): Milestone[] {
  const out: Milestone[] = [];
  const t0 = start(t);
  for (const m of t.model) {
    if (m.kind === 'sync') out.push({ name: `dirty-bitmap sync #${(m.payload as Record<string, number>)['dirty-sync-count']}`, time_ns: m.time_ns - t0 });
    else if (m.kind === 'status' && (m.payload as { stage: string }).stage === 'done') out.push({ name: `migration ${(m.payload as { to: string }).to}`, time_ns: m.time_ns - t0 });
  }
  if (t.hang !== null) out.push({ name: `hang (${t.hang.kind})`, time_ns: t.hang.time_ns - t0 });
  return out;
}

function sameEvent(a: TraceData, b: TraceData, i: number): boolean {
  const x = a.events;
  const y = b.events;
  return x.time[i] === y.time[i] && x.kind[i] === y.kind[i] && x.a[i] === y.a[i] && x.b[i] === y.b[i] && x.c[i] === y.c[i];
}

function byEvent(a: TraceData, b: TraceData, labels: [string, string]): TimelineDivergence {
  const n = Math.min(a.events.count, b.events.count);
  let i = 0;
  while (i < n && sameEvent(a, b, i)) i++;
  if (i === n && a.events.count === b.events.count) {
    return { kind: 'none', time_ns: [-1, -1], label: 'the two runs are identical', detail: `all ${n} events agree` };
  }
  let decisions = 0;
  for (let k = 0; k < i; k++) if (a.events.kind[k] === EK.DECISION) decisions++;
  const ta = i < a.events.count ? a.events.time[i] - start(a) : end(a);
  const tb = i < b.events.count ? b.events.time[i] - start(b) : end(b);
  const say = (t: TraceData, l: string) => `${l}: ${i < t.events.count ? describeEvent(t, i) : `ends after ${i} events`}`;
  return {
    kind: 'event',
    time_ns: [ta, tb],
    label: `first divergence: event #${i}, after ${decisions} identical scheduler decisions`,
    detail: `${say(a, labels[0])}\n${say(b, labels[1])}`,
  };
}

function byMilestone(a: TraceData, b: TraceData, labels: [string, string]): TimelineDivergence {
  const ma = milestones(a);
  const mb = milestones(b);
  const tol = 0.1 * Math.max(end(a), end(b));
  const n = Math.max(ma.length, mb.length);
  for (let k = 0; k < n; k++) {
    const x = ma[k];
    const y = mb[k];
    if (x === undefined || y === undefined || x.name !== y.name) {
      const what = (m: Milestone | undefined, l: string) => (m === undefined ? `${l} has nothing more (it ends at ${formatNs(k === 0 ? 0 : (l === labels[0] ? ma : mb)[k - 1].time_ns)})` : `${l}: ${m.name} at ${formatNs(m.time_ns)}`);
      return {
        kind: 'milestone',
        time_ns: [x?.time_ns ?? -1, y?.time_ns ?? -1],
        label: `first divergence: milestone ${k + 1} differs (${x?.name ?? 'none'} / ${y?.name ?? 'none'})`,
        detail: `${what(x, labels[0])}\n${what(y, labels[1])}`,
      };
    }
    if (Math.abs(x.time_ns - y.time_ns) > tol) {
      return {
        kind: 'milestone',
        time_ns: [x.time_ns, y.time_ns],
        label: `first divergence: ${x.name} at ${formatNs(x.time_ns)} (${labels[0]}) vs ${formatNs(y.time_ns)} (${labels[1]})`,
        detail: `the first milestone more than ${formatNs(Math.round(tol))} apart (a tenth of the longer run); the milestones before it agree in order and time`,
      };
    }
  }
  return { kind: 'none', time_ns: [-1, -1], label: 'the milestones agree', detail: `${ma.length} milestones (syncs and final status) in the same order, each within ${formatNs(Math.round(tol))}` };
}

/** Where traces `a` and `b` (labelled for the text) first diverge. */
export function firstDivergence(a: TraceData, b: TraceData, labels: [string, string]): TimelineDivergence {
  const sim = a.header.source !== 'qemu' && b.header.source !== 'qemu';
  return sim && a.header.scenario_name === b.header.scenario_name ? byEvent(a, b, labels) : byMilestone(a, b, labels);
}
