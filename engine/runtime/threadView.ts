// Threads and stacks as a debugger shows them: each thread by its QEMU name with its state in the
// name ("CPU 3/KVM (blocked on BQL held by migration)"), and its frames innermost first, each at
// the statement it is at.

import type { Kernel } from '../sim/kernel';
import { TS, WAIT, type SimThread } from '../sim/types';
import { humanNs } from './migrationVars';

/** QEMU's spelling of a lock's name. */
export function lockLabel(name: string): string {
  return name === 'bql' ? 'BQL' : name;
}

export function threadStateText(k: Kernel, th: SimThread): string {
  const s = k.s;
  let t: string;
  switch (th.state) {
    case TS.running: t = 'running'; break;
    case TS.runnable: t = 'runnable'; break;
    case TS.sleeping: t = th.wait_kind === WAIT.timer ? 'sleeping' : `sleeping in a timed wait on ${waitTarget(k, th)}`; break;
    case TS.io: t = th.wait_kind === WAIT.sem ? `in I/O, waiting on ${waitTarget(k, th)}` : 'in I/O (sending)'; break;
    case TS.stopped: t = `stopped (paused vCPU, parked on ${waitTarget(k, th)})`; break;
    case TS.exited: t = 'exited'; break;
    default: {
      if (th.wait_kind === WAIT.mutex) {
        const m = s.mutexes[th.wait_id];
        const owner = m.owner >= 0 ? ` held by ${s.threads[m.owner].name}` : '';
        t = `blocked on ${lockLabel(m.name)}${owner}`;
      } else {
        t = `blocked on ${waitTarget(k, th)}`;
      }
    }
  }
  if (th.held.length > 0 && th.state !== TS.exited) t += `, holding ${th.held.map((m) => lockLabel(s.mutexes[m].name)).join(', ')}`;
  return t;
}

function waitTarget(k: Kernel, th: SimThread): string {
  const s = k.s;
  switch (th.wait_kind) {
    case WAIT.mutex: return lockLabel(s.mutexes[th.wait_id].name);
    case WAIT.cond: return s.conds[th.wait_id].name;
    case WAIT.sem: return s.sems[th.wait_id].name;
    case WAIT.join: return `thread ${s.threads[th.wait_id].name}`;
    default: return 'a timer';
  }
}

export function threadLabel(k: Kernel, th: SimThread): string {
  return `${th.name} (${threadStateText(k, th)})`;
}

/** How long the thread has been in its state, for the Thread scope. */
export function inStateFor(k: Kernel, th: SimThread): string {
  return humanNs(k.s.now_ns - th.since_ns);
}
