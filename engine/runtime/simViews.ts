// What a stopped simulated run shows: threads with their state in the name, stacks at the
// statement each frame is at (in the model function's listing, or the real function in a QEMU
// source tree), scopes and variables (the frame's locals, the thread, the migration under
// query-migrate's names, the locks, the scheduler), the lock table and the exception.

import { lockSummaries } from '../sim/lockReport';
import { stateHash } from '../sim/snapshot';
import { TS, type SimThread } from '../sim/types';
import { waitDescription } from '../sim/hangDetect';
import type { SimCore } from './simRun';
import { lineOfStep, listingOf } from './listing';
import { formatValue, humanNs, MIGRATION_VARS, queryMigrateNow } from './migrationVars';
import { inStateFor, lockLabel, threadLabel, threadStateText } from './threadView';
import { plainNode, type VarNode, VarStore } from './varTree';
import type { FrameInfo, LockRow, ScopeInfo, ThreadInfo } from './debugTarget';
import type { QemuSourceIndex } from './qemuSource';

/** A frame id: thread and depth (0 = outermost), stable while the frame lives. */
export function frameId(tid: number, depth: number): number {
  return tid * 1000 + depth + 1;
}

export function frameOf(id: number): { tid: number; depth: number } {
  return { tid: Math.floor((id - 1) / 1000), depth: (id - 1) % 1000 };
}

export class SimViews {
  readonly vars = new VarStore();
  /** one past the highest step index seen per function (listings of undescribed functions) */
  private readonly seen: number[] = [];

  constructor(private readonly core: SimCore, private readonly qemu: QemuSourceIndex | null) {}

  threads(): ThreadInfo[] {
    const k = this.core.k;
    return k.s.threads.map((th) => ({ tid: th.id, name: threadLabel(k, th) }));
  }

  private noteSeen(fn: number, at: number): void {
    if ((this.seen[fn] ?? 0) < at + 1) this.seen[fn] = at + 1;
  }

  lineCount(fn: number): number {
    return listingOf(this.core.k.program, fn, this.seen[fn] ?? 0).lines.length;
  }

  stack(tid: number): FrameInfo[] {
    const k = this.core.k;
    const th = k.s.threads[tid];
    if (th === undefined) return [];
    const out: FrameInfo[] = [];
    for (let d = th.stack.length - 1; d >= 0; d--) {
      const f = th.stack[d];
      this.noteSeen(f.fn, f.at);
      const name = k.program.name(f.fn);
      const real = this.qemu?.lookup(name) ?? null;
      out.push({
        id: frameId(tid, d),
        name,
        line: real !== null ? real.line : lineOfStep(f.at),
        sourceRef: real !== null ? 0 : f.fn + 1,
        sourceName: real !== null ? real.path.replace(/^.*[\\/]/, '') : `${name}.c`,
        path: real?.path,
        canRestart: true,
      });
    }
    return out;
  }

  source(ref: number): { content: string; mimeType: string } | null {
    const fn = ref - 1;
    if (this.core.k.program.fns[fn] === undefined) return null;
    return { content: listingOf(this.core.k.program, fn, this.seen[fn] ?? 0).lines.join('\n') + '\n', mimeType: 'text/x-c' };
  }

  scopes(frame: number): ScopeInfo[] {
    const { tid, depth } = frameOf(frame);
    const k = this.core.k;
    const th = k.s.threads[tid];
    const f = th?.stack[depth];
    const scopes: ScopeInfo[] = [];
    if (th !== undefined && f !== undefined) {
      scopes.push({ name: 'Locals', ref: this.vars.add(() => localsOf(f.l)), expensive: false, hint: 'locals' });
      scopes.push({ name: `Thread ${th.name}`, ref: this.vars.add(() => this.threadVars(th)), expensive: false });
    }
    scopes.push({ name: 'Migration', ref: this.vars.add(() => this.migrationVars()), expensive: false });
    scopes.push({ name: 'Locks', ref: this.vars.add(() => this.lockVars()), expensive: false });
    scopes.push({ name: 'Scheduler', ref: this.vars.add(() => this.schedulerVars()), expensive: false, hint: 'registers' });
    return scopes;
  }

  variables(ref: number): VarNode[] {
    return this.vars.get(ref) ?? [];
  }

  threadVars(th: SimThread): VarNode[] {
    const k = this.core.k;
    const s = k.s;
    const out: VarNode[] = [
      { name: 'state', value: threadStateText(k, th) },
      { name: 'in state for', value: inStateFor(k, th) },
    ];
    const w = waitDescription(k, th);
    if (th.state !== TS.running && th.state !== TS.runnable && th.state !== TS.exited && w !== '') out.push({ name: 'waits', value: w });
    if (th.wait_kind === 1 && (th.state === TS.blocked)) {
      const m = s.mutexes[th.wait_id];
      out.push({ name: 'awaited lock', value: lockLabel(m.name) });
      out.push({ name: 'holder', value: m.owner >= 0 ? `${s.threads[m.owner].name} (in ${k.program.name(s.threads[m.owner].stack.at(-1)?.fn ?? -1)})` : 'none' });
    }
    out.push({ name: 'held locks', value: th.held.length === 0 ? 'none' : th.held.map((m) => lockLabel(s.mutexes[m].name)).join(', ') });
    out.push({ name: 'frames', value: String(th.stack.length) });
    return out;
  }

  migrationVars(): VarNode[] {
    const k = this.core.k;
    const ctx = this.core.ctx;
    const out: VarNode[] = MIGRATION_VARS.map((v) => ({ name: v.name, value: formatValue(v.get(k, ctx), v.unit), dataId: v.watchable ? `migration.${v.name}` : undefined }));
    const q = queryMigrateNow(k, ctx);
    out.push({ ...plainNode('query-migrate', q), name: 'query-migrate' });
    return out;
  }

  lockTable(): LockRow[] {
    const k = this.core.k;
    const sums = lockSummaries(k);
    return k.s.mutexes.map((m, i) => {
      const sum = sums[i];
      return {
        name: m.name,
        owner: m.owner >= 0 ? k.s.threads[m.owner].name : null,
        waiters: m.waiters.map((t) => k.s.threads[t].name),
        acquisitions: sum.acquisitions,
        contentions: sum.contentions,
        wait_ns_total: sum.wait_ns_total,
        wait_ns_max: sum.wait_ns_max,
        hold_ns_total: sum.hold_ns_total,
        hold_ns_max: sum.hold_ns_max,
        sites: sum.sites,
      };
    });
  }

  lockVars(): VarNode[] {
    return this.lockTable().map((l) => ({
      name: lockLabel(l.name),
      value: l.owner === null ? 'free' : `held by ${l.owner}${l.waiters.length > 0 ? `, ${l.waiters.length} waiting` : ''}`,
      children: () => [
        { name: 'owner', value: l.owner ?? 'none' },
        { name: 'waiters', value: l.waiters.length === 0 ? 'none' : l.waiters.join(', ') },
        { name: 'acquisitions', value: String(l.acquisitions) },
        { name: 'contentions', value: String(l.contentions) },
        { name: 'wait total', value: humanNs(l.wait_ns_total) },
        { name: 'wait max', value: humanNs(l.wait_ns_max) },
        { name: 'hold total', value: humanNs(l.hold_ns_total) },
        { name: 'hold max', value: humanNs(l.hold_ns_max) },
        {
          name: 'by call site',
          value: `${l.sites.length} callers`,
          children: () => l.sites.map((st) => ({ name: st.caller, value: `${st.acquisitions} acquisitions, ${st.contentions} contended, wait ${humanNs(st.wait_ns_total)} (max ${humanNs(st.wait_ns_max)}), hold ${humanNs(st.hold_ns_total)} (max ${humanNs(st.hold_ns_max)})` })),
        },
      ],
    }));
  }

  schedulerVars(): VarNode[] {
    const k = this.core.k;
    const s = k.s;
    const cfg = this.core.ctx.cfg;
    return [
      { name: 'virtual time', value: `${s.now_ns} ns (${humanNs(s.now_ns)})` },
      { name: 'decision', value: String(s.decisions) },
      { name: 'steps', value: String(s.steps) },
      { name: 'seed', value: String(cfg.seed) },
      { name: 'strategy', value: s.sched.strategy },
      { name: 'ready', value: s.ready.map((t) => s.threads[t].name).join(', ') || 'none' },
      { name: 'checkpoints', value: `${this.core.cps.list.length} (every ${this.core.cps.interval_steps} steps)` },
      { name: 'look-ahead', value: this.core.lookAheadText() },
      { name: 'state hash', value: 'computed when opened', lazy: true, children: () => [{ name: 'state hash', value: stateHash(k.s) }] },
    ];
  }
}

function localsOf(l: unknown): VarNode[] {
  if (l === null || l === undefined || typeof l !== 'object') return l === null || l === undefined ? [] : [plainNode('value', l)];
  return Object.keys(l as object).map((key) => plainNode(key, (l as Record<string, unknown>)[key]));
}
