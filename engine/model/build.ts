// Builds a simulation of one migration from a resolved configuration: the program (the QEMU
// functions of the chosen design), the kernel with its objects (BQL, conditions, semaphores),
// guest RAM, and the threads: main loop, vCPUs, migration thread, sender channels and the bitmap
// thread where the design has them, the destination's threads, and a fault injector if asked.

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
import { defineVmControl } from './vmControl';
import { defineMultifd } from './multifd';
import { defineBitmapThread } from './bitmapThread';
import { defineFaultInjector } from './faults';
import { createXbzrle } from './xbzrle';
import { forThisRun } from './hostSpeed';
import { bqlWords, designOnHost, listingQemu, namesUnder, vcpuThreadName } from './profiles';
import { destinationPaceByThread } from './network';

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
  return {
    bql: -1, pause_cond: -1, work_cond: -1, halt_cond: [], rate_limit_sem: -1, incoming_sem: [], socket_writable_sem: [], main_notify_sem: -1,
    channels_ready: -1, channel_sem: [], channel_sync_sem: [], sender_tids: [], receiver_tids: [],
    bitmap_request_sem: -1, bitmap_done_sem: -1, ramlist_lock: -1, bitmap_tid: -1, fault_tid: -1,
    vcpu_tids: [], main_tid: -1, migration_tid: -1, dst_tid: -1,
  };
}

export function buildMigration(given: ModelConfig, o: BuildOptions = {}): BuiltMigration {
  // the host's speed in this run (hostSpeed.ts), and the design as the host's QEMU builds it
  const run = forThisRun(given);
  const profile = designOnHost(run.profile, run.host.qemu_version);
  const cfg = profile === run.profile ? run : { ...run, profile };
  const ctx: ModelCtx = { cfg, names: namesUnder(cfg.profile, cfg.host.accel), bql: bqlWords(listingQemu(cfg.profile, cfg.host.qemu_version)), ids: emptyIds(), fn: {} };
  const senders = cfg.profile.senders;
  const channels = senders ? cfg.channels : 0;
  const p = new Program();
  const vm = defineVmControl(p, ctx);
  defineVcpu(p, ctx, vm);
  defineMainLoop(p, ctx, vm);
  const mf = senders ? defineMultifd(p, ctx) : null;
  const save = defineRamSave(p, ctx, mf, vm);
  const bt = cfg.profile.bitmap_thread ? defineBitmapThread(p, ctx, save.bitmapSync) : null;
  defineMigrationThread(p, ctx, save, vm, bt);
  defineDestination(p, ctx);
  if (cfg.faults.length > 0) defineFaultInjector(p, ctx);

  const data: MigData = {
    ram: createGuestRam(cfg.pages, cfg.workload.nonzero_pages, cfg.bugs.has('79536f4f1693')),
    mig: createMigrationState(),
    vcpus: Array.from({ length: cfg.vcpus }, () => ({ stop: false, stopped: false, guest_ns: 0, exits: 0, pages_written: 0, until_exit_ns: 0, carry: 0, carry_after: 0, throttle_scheduled: false, throttled_ns: 0, queued_work: null, kvm_vcpu_dirty: false })),
    link: { free_at_ns: 0, bytes_total: 0, pages_handed: 0, sent_bytes: new Array<number>(1 + channels).fill(0), flow_waiting: new Array<boolean>(1 + channels).fill(false), dst_free_at_ns: new Array<number>(1 + channels).fill(0) },
    dst: { queues: Array.from({ length: 1 + channels }, () => []), loaded_pages: 0, loaded_bytes: new Array<number>(1 + channels).fill(0), loading_bytes: new Array<number>(1 + channels).fill(0), crashed: false },
    workload: { seq_cursor: new Array<number>(cfg.vcpus).fill(0), running: false },
    next_query_ns: 0,
    throttle: { pct: 0, dirty_rate_high_cnt: 0, xfer_prev: 0, next_tick_ns: -1, steps: 0, max_pct: 0 },
    xbzrle: cfg.xbzrle ? createXbzrle(cfg) : null,
    multifd: { channels: Array.from({ length: channels }, () => ({ sending: false, pending_job: false, pending_sync: false, job_zero: 0, job_normal: 0, job_bytes: 0, packets: 0, bytes: 0 })), next: 0 },
    faults: { next: 0, link_cut_ns: -1, dst_crashed_ns: -1, bw_factor: 1 },
    vmstop_requested: false,
    cpu_single_env: -1,
    bitmap_sync_pending: false,
  };
  const k = new Kernel(p, {
    seed: cfg.seed,
    strategy: o.strategy,
    replay: o.replay,
    jitter: COST_JITTER,
    watchdog_ns: cfg.watchdog_ns,
    cpus: cfg.host.cpus,
    data,
  });
  if (o.observe) k.obs = o.observe(k);
  const ids = ctx.ids;
  ids.bql = k.mutex('bql');
  ids.pause_cond = k.cond('qemu_pause_cond');
  ids.work_cond = k.cond('qemu_work_cond');
  for (let v = 0; v < cfg.vcpus; v++) ids.halt_cond.push(k.cond(`halt_cond[${v}]`));
  ids.rate_limit_sem = k.sem('rate_limit_sem');
  ids.main_notify_sem = k.sem('aio_notify');
  ids.incoming_sem.push(k.sem('incoming'));
  // TCP flow control from the destination's reads, on hosts whose CPUs the threads share (network.ts)
  const flow = destinationPaceByThread(cfg.host);
  if (flow) ids.socket_writable_sem.push(k.sem('to_dst_file.writable'));
  if (senders) {
    ids.channels_ready = k.sem('channels_ready');
    for (let i = 0; i < channels; i++) {
      ids.channel_sem.push(k.sem(`send_${i}.sem`));
      ids.channel_sync_sem.push(k.sem(`send_${i}.sem_sync`));
      ids.incoming_sem.push(k.sem(`recv_${i}.socket`));
      if (flow) ids.socket_writable_sem.push(k.sem(`send_${i}.writable`));
    }
  }
  if (bt !== null) {
    ids.ramlist_lock = k.mutex('ram_list.mutex');
    ids.bitmap_request_sem = k.sem('bitmap_sync_request');
    ids.bitmap_done_sem = k.sem('bitmap_sync_done');
  }

  ids.main_tid = k.thread('main', ctx.fn.main_loop, null);
  for (let v = 0; v < cfg.vcpus; v++) ids.vcpu_tids.push(k.thread(vcpuThreadName(v, cfg.host.accel), ctx.fn.vcpu, vcpuLocals(v)));
  ids.migration_tid = k.thread(cfg.profile.name === 'rfc-2012' ? 'migration' : 'mig/src/main', ctx.fn.migration, null);
  for (let i = 0; i < channels; i++) ids.sender_tids.push(k.thread(`mig/src/send_${i}`, ctx.fn.sender, { i, sync_seen: false }));
  if (bt !== null) ids.bitmap_tid = k.thread('mig/src/bitmap', ctx.fn.bitmap, null);
  ids.dst_tid = k.thread('dst main', ctx.fn.destination, null);
  for (let i = 0; i < channels; i++) ids.receiver_tids.push(k.thread(`mig/dst/recv_${i}`, ctx.fn.receiver, { ch: i + 1 }));
  if (cfg.faults.length > 0) ids.fault_tid = k.thread('fault injector', ctx.fn.faults, { i: 0 });

  // Who can wake whom, for hang detection before anyone has signalled.
  for (const t of ids.vcpu_tids) {
    k.declareSignaler(ids.pause_cond, t);
    k.declareSignaler(ids.work_cond, t);
  }
  k.declarePoster(ids.incoming_sem[0], ids.migration_tid);
  if (flow) k.declarePoster(ids.socket_writable_sem[0], ids.dst_tid);
  for (let i = 0; i < channels; i++) {
    k.declarePoster(ids.channels_ready, ids.sender_tids[i]);
    k.declarePoster(ids.channel_sem[i], ids.migration_tid);
    k.declarePoster(ids.channel_sync_sem[i], ids.sender_tids[i]);
    k.declarePoster(ids.incoming_sem[i + 1], ids.sender_tids[i]);
    if (flow) k.declarePoster(ids.socket_writable_sem[i + 1], ids.receiver_tids[i]);
  }
  if (bt !== null) {
    k.declarePoster(ids.bitmap_request_sem, ids.migration_tid);
    k.declarePoster(ids.bitmap_done_sem, ids.bitmap_tid);
  }
  return { kernel: k, ctx };
}
