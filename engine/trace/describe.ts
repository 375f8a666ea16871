// Events of a trace in words, with names: for replay divergences, `info` and debugging.

import { THREAD_STATE_NAMES, WAIT_NAMES } from '../sim/types';
import { formatNs } from '../sim/hangReport';
import { EK, EVENT_KIND_NAMES } from './format';
import type { TraceData } from './reader';

function thread(t: TraceData, tid: number): string {
  return `"${t.threads[tid]?.name ?? `thread ${tid}`}"`;
}

function waitObject(t: TraceData, kind: number, id: number): string {
  switch (kind) {
    case 1: return `mutex "${t.mutexes[id] ?? id}"`;
    case 2: return `condition "${t.conds[id] ?? id}"`;
    case 3: return `semaphore "${t.sems[id] ?? id}"`;
    case 4: return `thread ${thread(t, id)}`;
    default: return WAIT_NAMES[kind] ?? `wait ${kind}`;
  }
}

export function describeEvent(t: TraceData, i: number): string {
  const e = t.events;
  const k = e.kind[i];
  const a = e.a[i];
  const b = e.b[i];
  const c = e.c[i];
  const at = `#${i} at ${formatNs(e.time[i])}: `;
  switch (k) {
    case EK.THREAD_CREATE: return `${at}thread ${thread(t, a)} created`;
    case EK.THREAD_STATE: {
      const st = THREAD_STATE_NAMES[b % 8] ?? `state ${b % 8}`;
      const wk = Math.floor(b / 8);
      return `${at}${thread(t, a)} ${st}${wk > 0 && c > 0 ? ` on ${waitObject(t, wk, c - 1)}` : ''}`;
    }
    case EK.FRAME_PUSH: return `${at}${thread(t, a)} enters ${t.functions[b] ?? `function ${b}`}`;
    case EK.FRAME_POP: return `${at}${thread(t, a)} returns from ${t.functions[b] ?? `function ${b}`}`;
    case EK.LOCK_CONTEND: return `${at}${thread(t, b)} waits for mutex "${t.mutexes[a] ?? a}"${c > 0 ? `, held by ${thread(t, c - 1)}` : ''}`;
    case EK.LOCK_ACQUIRE: return `${at}${thread(t, b)} takes mutex "${t.mutexes[a] ?? a}"${c > 0 ? ` after waiting ${formatNs(c)}` : ''}`;
    case EK.LOCK_RELEASE: return `${at}${thread(t, b)} releases mutex "${t.mutexes[a] ?? a}" after holding it ${formatNs(Math.floor(c / 2))}${c % 2 ? ' (contended)' : ''}`;
    case EK.COND_SIGNAL: return `${at}${thread(t, b)} signals condition "${t.conds[a] ?? a}", waking ${c}`;
    case EK.SEM_POST: return `${at}${thread(t, b)} posts semaphore "${t.sems[a] ?? a}", waking ${c}`;
    case EK.DECISION: return `${at}scheduler picks ${thread(t, a)} among ${b} ready threads`;
    case EK.OBJECT_CREATE: return `${at}${['', 'mutex', 'condition', 'semaphore'][a] ?? 'object'} "${(a === 1 ? t.mutexes : a === 2 ? t.conds : t.sems)[b] ?? b}" created`;
    case EK.MODEL: {
      const m = t.model[a];
      return `${at}model event ${m ? `${m.kind} ${JSON.stringify(m.payload)}`.slice(0, 160) : a}`;
    }
    case EK.QEMU_TRACE: {
      const args = c > 0 ? t.model[c - 1]?.payload as { args?: string } | undefined : undefined;
      return `${at}${thread(t, a)} trace ${t.functions[b] ?? b}${args?.args ? ` ${args.args}` : ''}`;
    }
    case EK.HANG: return `${at}hang detected`;
    case EK.FINISHED: return `${at}run finished`;
    default: return `${at}${EVENT_KIND_NAMES[k] ?? `kind ${k}`} ${a} ${b} ${c}`;
  }
}
