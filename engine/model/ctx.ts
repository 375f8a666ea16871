// What the migration model's thread programs share: the resolved configuration, the frame names
// of the design's QEMU era, and the ids of the simulation objects (filled once the kernel exists,
// constant afterwards). None of this is state: state lives in k.s.data (MigData).

import type { Kernel } from '../sim/kernel';
import type { ModelConfig } from './config';
import type { BqlWords, FrameNames } from './profiles';
import type { MigData } from './state';

export interface ModelIds {
  bql: number;
  /** qemu_pause_cond: vCPUs broadcast it when they stop */
  pause_cond: number;
  /** qemu_work_cond: a vCPU broadcasts it when it has run the work run_on_cpu queued */
  work_cond: number;
  /** per-vCPU halt_cond: a stopped vCPU parks on it */
  halt_cond: number[];
  /** migration rate-limit sleep (rate_limit_sem) */
  rate_limit_sem: number;
  /** the destination's sockets, one per channel (0: the main stream): one post per batch written */
  incoming_sem: number[];
  /** per channel: room in the socket again (the destination read what held the sender back) */
  socket_writable_sem: number[];
  /** multifd: a channel is free (channels_ready), per channel: work (p->sem) and sync done (sem_sync) */
  channels_ready: number;
  channel_sem: number[];
  channel_sync_sem: number[];
  sender_tids: number[];
  receiver_tids: number[];
  /** the dedicated bitmap thread: a sync is asked for / done; the RAM-list lock it syncs under */
  bitmap_request_sem: number;
  bitmap_done_sem: number;
  ramlist_lock: number;
  bitmap_tid: number;
  fault_tid: number;
  /** the main loop's poll wakeup (aio_notify) */
  main_notify_sem: number;
  vcpu_tids: number[];
  main_tid: number;
  migration_tid: number;
  dst_tid: number;
}

export interface ModelCtx {
  cfg: ModelConfig;
  names: FrameNames;
  /** the BQL's functions in the words of the QEMU the listings show (profiles.ts) */
  bql: BqlWords;
  ids: ModelIds;
  /** function ids by role, filled as the program is built */
  fn: Record<string, number>;
}

export function md(k: Kernel): MigData {
  return k.s.data as MigData;
}
