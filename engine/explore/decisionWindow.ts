// What happened around one decision of a run, statement by statement: which thread ran, which
// the default schedule would have run instead and where it stood, and what the two of them
// executed afterwards, until both had gone off the CPU (blocked, slept, computed or exited), each
// statement with its QEMU text (the step tables of the model). The run is stopped at the decision and stepped one step at a time, then run to
// its end; stopping never changes a run, so this is the same run as without the watching.

import type { Kernel } from '../sim/kernel';
import { NullObserver } from '../sim/observer';
import type { SimThread } from '../sim/types';

export interface Executed {
  thread: string;
  fn: string;
  statement: string;
}

export interface DecisionWindow {
  decision: number;
  time_ns: number;
  /** the thread that ran, and what it executed */
  ran: Executed;
  /** the thread the default schedule would have run, and the statement it stood at */
  other: Executed | null;
  /** what the two threads executed next, in order, until both had gone off the CPU (repeats folded into `times`) */
  after: (Executed & { times: number })[];
  /** steps other threads took meanwhile */
  others_steps: number;
}

/** Steps watched after the decision before giving up on the chosen thread running again. */
const WINDOW_STEPS_MAX = 400;

interface Pre {
  depth: number;
  fn: number;
  pc: number;
  pending: number;
}

function preOf(th: SimThread): Pre {
  const f = th.stack[th.stack.length - 1];
  return { depth: th.stack.length, fn: f?.fn ?? -1, pc: f?.pc ?? -1, pending: th.pending };
}

/** A step's statements: where it resumed, and where it jumped on to if it did (QEMU's own control flow). */
function path(k: Kernel, fn: number, from: number, to: number): string {
  const p = k.program;
  const a = p.statement(fn, from).trim();
  return from === to || to < 0 ? a : `${a} → ${p.statement(fn, to).trim()}`;
}

function executedBy(k: Kernel, th: SimThread, pre: Pre): Executed {
  const p = k.program;
  if (pre.pending !== 0) return { thread: th.name, fn: p.name(pre.fn), statement: '(woken: retakes its mutex)' };
  if (th.stack.length > pre.depth) {
    const caller = th.stack[pre.depth - 1];
    return { thread: th.name, fn: p.name(caller.fn), statement: path(k, caller.fn, pre.pc, caller.at) };
  }
  if (th.stack.length < pre.depth || th.stack.length === 0) return { thread: th.name, fn: p.name(pre.fn), statement: p.statement(pre.fn, pre.pc).trim() };
  const top = th.stack[th.stack.length - 1];
  return { thread: th.name, fn: p.name(top.fn), statement: path(k, top.fn, pre.pc, top.at) };
}

class StopAtDecision extends NullObserver {
  pre: Pre[] = [];
  other = -1;
  time_ns = 0;
  constructor(private readonly k: () => Kernel, private readonly at: number) {
    super();
  }
  override decision(i: number, _tid: number, ready: readonly number[]): void {
    if (i !== this.at) return;
    const k = this.k();
    this.pre = k.s.threads.map(preOf);
    this.other = ready[0];
    this.time_ns = k.s.now_ns;
    k.requestStop();
  }
}

/**
 * Runs `k` (just built, with `watch` among its observers) to its end, watching decision `at`.
 * `defaultTid` is the thread the default schedule runs there (when the run itself is the deviation).
 */
export function runWatchingDecision(k: Kernel, watch: StopAtDecision, at: number, defaultTid: number): DecisionWindow | null {
  let r = k.run();
  if (r !== 'requested') return null;
  const chosen = k.cur;
  const pre = watch.pre;
  const ran = executedBy(k, chosen, pre[chosen.id]);
  const otherTid = defaultTid >= 0 && defaultTid !== chosen.id ? defaultTid : watch.other !== chosen.id ? watch.other : -1;
  const other = otherTid < 0 ? null : (() => {
    const th = k.s.threads[otherTid];
    const p = pre[otherTid];
    return { thread: th.name, fn: k.program.name(p.fn), statement: p.pending !== 0 ? '(woken: retakes its mutex)' : k.program.statement(p.fn, p.pc).trim() };
  })();
  const after: (Executed & { times: number })[] = [];
  let others = 0;
  const offCpu = (tid: number): boolean => !k.s.ready.includes(tid);
  let chosenOff = offCpu(chosen.id);
  let otherOff = otherTid < 0 || offCpu(otherTid);
  for (let n = 0; n < WINDOW_STEPS_MAX && !(chosenOff && otherOff); n++) {
    const before = k.s.threads.map(preOf);
    r = k.run({ steps: 1 });
    if (r !== 'steps') break;
    const th = k.cur;
    if (th.id !== chosen.id && th.id !== otherTid) {
      others++;
      continue;
    }
    const e = executedBy(k, th, before[th.id]);
    const last = after[after.length - 1];
    if (last !== undefined && last.thread === e.thread && last.fn === e.fn && last.statement === e.statement) last.times++;
    else after.push({ ...e, times: 1 });
    if (th.id === chosen.id && offCpu(chosen.id)) chosenOff = true;
    if (th.id === otherTid && offCpu(otherTid)) otherOff = true;
  }
  k.run();
  return { decision: at, time_ns: watch.time_ns, ran, other, after, others_steps: others };
}

export function decisionWatcher(k: () => Kernel, at: number): StopAtDecision {
  return new StopAtDecision(k, at);
}
