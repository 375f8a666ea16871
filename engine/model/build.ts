// Builds a simulation of one migration from a resolved configuration: the program (the QEMU
// functions of the chosen design), the kernel with its objects (BQL, conditions, semaphores),
// guest RAM, and the threads: main loop, vCPUs, migration thread, destination.

import { Kernel } from '../sim/kernel';
import { Program } from '../sim/program';
import type { StrategyOptions } from '../sim/scheduler';
import type { DecisionLog } from '../sim/decisionLog';
import type { SimObserver } from '../sim/observer';
import { COST_JITTER } from './calibration';
import type { ModelConfig } from './config';
import type { ModelCtx, ModelIds } from './ctx';
import { defineDestination } from './destination';
import { createGuestRam } from './guestRam';
import { defineMainLoop } from './mainLoop';
import { defineMigrationThread } from './migrationThread';
import { defineRamSave } from './ramSave';
import { createMigrationState, type MigData } from './state';
import { defineVcpu, vcpuLocals } from './vcpu';

export interface BuildOptions {
  strategy?: StrategyOptions;
  replay?: DecisionLog;
  /** an observer (a trace recorder) attached before any object or thread exists */
  observe?: (k: Kernel) => SimObserver;
}

export interface BuiltMigration {
  kernel: Kernel;
  ctx: ModelCtx;
}

function emptyIds(): ModelIds {
  return { bql: -1, pause_cond: -1, halt_cond: [], rate_limit_sem: -1, incoming_sem: -1, main_notify_sem: -1, vcpu_tids: [], main_tid: -1, migration_tid: -1, dst_tid: -1 };
}

export function buildMigration(cfg: ModelConfig, o: BuildOptions = {}): BuiltMigration {
  const ctx: ModelCtx = { cfg, names: cfg.profile.names, ids: emptyIds(), fn: {} };
  const p = new Program();
  defineVcpu(p, ctx);
  defineMainLoop(p, ctx);
  const save = defineRamSave(p, ctx);
  defineMigrationThread(p, ctx, save);
  defineDestination(p, ctx);

  const data: MigData = {
    ram: createGuestRam(cfg.pages, cfg.workload.nonzero_pages),
    mig: createMigrationState(),
    vcpus: Array.from({ length: cfg.vcpus }, () => ({ stop: false, stopped: false, guest_ns: 0, exits: 0, pages_written: 0, until_exit_ns: 0, carry: 0 })),
    link: { free_at_ns: 0, bytes_total: 0 },
    dst: { queue: [], loaded_pages: 0 },
    workload: { seq_cursor: new Array<number>(cfg.vcpus).fill(0), running: false },
    next_query_ns: 0,
  };
  const k = new Kernel(p, {
    seed: cfg.seed,
    strategy: o.strategy,
    replay: o.replay,
    jitter: COST_JITTER,
    watchdog_ns: cfg.watchdog_ns,
    data,
  });
  if (o.observe) k.obs = o.observe(k);
  const ids = ctx.ids;
  ids.bql = k.mutex('bql');
  ids.pause_cond = k.cond('qemu_pause_cond');
  for (let v = 0; v < cfg.vcpus; v++) ids.halt_cond.push(k.cond(`halt_cond[${v}]`));
  ids.rate_limit_sem = k.sem('rate_limit_sem');
  ids.incoming_sem = k.sem('incoming');
  ids.main_notify_sem = k.sem('aio_notify');

  ids.main_tid = k.thread('main', ctx.fn.main_loop, null);
  for (let v = 0; v < cfg.vcpus; v++) ids.vcpu_tids.push(k.thread(`CPU ${v}/KVM`, ctx.fn.vcpu, vcpuLocals(v)));
  ids.migration_tid = k.thread(cfg.profile.name === 'rfc-2012' ? 'migration' : 'mig/src/main', ctx.fn.migration, null);
  ids.dst_tid = k.thread('dst main', ctx.fn.destination, null);

  // Who can wake whom, for hang detection before anyone has signalled.
  for (const t of ids.vcpu_tids) k.declareSignaler(ids.pause_cond, t);
  k.declarePoster(ids.incoming_sem, ids.migration_tid);
  return { kernel: k, ctx };
}
