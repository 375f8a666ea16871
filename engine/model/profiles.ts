// Migration designs. A design profile says where the migration thread takes the BQL and which
// QEMU era's function names its frames carry, so a backtrace of the rfc-2012 design reads like
// gdb on the 2012 RFC tree, and one of qemu-1.4 like gdb on the merged code.

import type { DesignProfileName } from './catalog';

export interface FrameNames {
  migration_thread: string;
  iteration: string;
  pending_estimate: string;
  pending_exact: string;
  savevm_iterate: string;
  ram_save_iterate: string;
  find_and_save: string;
  fflush: string;
  writev: string;
  bitmap_sync_precopy: string;
  bitmap_sync: string;
  dirty_log_sync: string;
  rate_limit: string;
  rate_limit_wait: string;
  completion: string;
  stop_vm: string;
  pause_all_vcpus: string;
  savevm_complete: string;
  ram_save_complete: string;
  device_state: string;
  setup: string;
  ram_save_setup: string;
  vcpu_thread: string;
  cpu_exec: string;
  kvm_run: string;
  wait_io_event: string;
  main_loop: string;
  main_loop_wait: string;
  host_main_loop_wait: string;
  bh_poll: string;
  query_migrate: string;
  incoming: string;
  loadvm: string;
  ram_load: string;
  multifd_queue_page: string;
  multifd_send: string;
  multifd_send_sync_main: string;
  multifd_send_thread: string;
  multifd_send_prepare: string;
  multifd_recv_thread: string;
  bitmap_thread: string;
  bitmap_request: string;
  throttle: string;
  vm_stop_request: string;
}

/** QEMU 1.4 onward (and today's names where they did not change). */
const MERGED: FrameNames = {
  migration_thread: 'migration_thread',
  iteration: 'migration_iteration_run',
  pending_estimate: 'qemu_savevm_state_pending_estimate',
  pending_exact: 'qemu_savevm_state_pending_exact',
  savevm_iterate: 'qemu_savevm_state_iterate',
  ram_save_iterate: 'ram_save_iterate',
  find_and_save: 'ram_find_and_save_block',
  fflush: 'qemu_fflush',
  writev: 'qio_channel_writev',
  bitmap_sync_precopy: 'migration_bitmap_sync_precopy',
  bitmap_sync: 'migration_bitmap_sync',
  dirty_log_sync: 'kvm_log_sync',
  rate_limit: 'migration_rate_limit',
  rate_limit_wait: 'qemu_sem_timedwait',
  completion: 'migration_completion',
  stop_vm: 'migration_stop_vm',
  pause_all_vcpus: 'pause_all_vcpus',
  savevm_complete: 'qemu_savevm_state_complete_precopy',
  ram_save_complete: 'ram_save_complete',
  device_state: 'vmstate_save_state',
  setup: 'qemu_savevm_state_setup',
  ram_save_setup: 'ram_save_setup',
  vcpu_thread: 'kvm_vcpu_thread_fn',
  cpu_exec: 'kvm_cpu_exec',
  kvm_run: 'kvm_vcpu_ioctl',
  wait_io_event: 'qemu_wait_io_event',
  main_loop: 'qemu_main_loop',
  main_loop_wait: 'main_loop_wait',
  host_main_loop_wait: 'os_host_main_loop_wait',
  bh_poll: 'aio_bh_poll',
  query_migrate: 'qmp_query_migrate',
  incoming: 'process_incoming_migration_co',
  loadvm: 'qemu_loadvm_state',
  ram_load: 'ram_load',
  multifd_queue_page: 'multifd_queue_page',
  multifd_send: 'multifd_send',
  multifd_send_sync_main: 'multifd_send_sync_main',
  multifd_send_thread: 'multifd_send_thread',
  multifd_send_prepare: 'multifd_nocomp_send_prepare',
  multifd_recv_thread: 'multifd_recv_thread',
  bitmap_thread: 'migration_bitmap_thread',
  bitmap_request: 'migration_bitmap_sync_request',
  throttle: 'cpu_throttle_thread',
  vm_stop_request: 'qemu_system_vmstop_request',
};

/** The July 2012 RFC tree (QEMU 1.1 + migration-thread-v1): buffered_file's thread, iothread lock. */
const RFC_2012: FrameNames = {
  ...MERGED,
  migration_thread: 'buffered_file_thread',
  iteration: 'migrate_fd_put_ready',
  pending_estimate: 'qemu_savevm_state_pending',
  pending_exact: 'qemu_savevm_state_pending',
  find_and_save: 'ram_save_block',
  fflush: 'buffered_flush',
  writev: 'migrate_fd_put_buffer',
  bitmap_sync_precopy: 'ram_save_pending',
  dirty_log_sync: 'kvm_physical_sync_dirty_bitmap',
  rate_limit: 'buffered_rate_limit',
  rate_limit_wait: 'g_usleep',
  // The RFC completed inside migrate_fd_put_ready; the wrapper keeps today's name so that the
  // stack does not show put_ready twice.
  completion: 'migration_completion',
  stop_vm: 'vm_stop',
  savevm_complete: 'qemu_savevm_state_complete',
  device_state: 'vmstate_save',
  setup: 'qemu_savevm_state_begin',
  vcpu_thread: 'qemu_kvm_cpu_thread_fn',
  kvm_run: 'kvm_vcpu_ioctl',
  wait_io_event: 'qemu_kvm_wait_io_event',
  main_loop: 'main_loop',
  host_main_loop_wait: 'os_host_main_loop_wait',
  bh_poll: 'qemu_bh_poll',
  query_migrate: 'qmp_query_migrate',
  incoming: 'process_incoming_migration',
};

/**
 * The vCPU thread's functions under TCG, which a design's names (KVM's) give way to when the host
 * runs its guest under TCG: QEMU 7.2's MTTCG thread (accel/tcg/tcg-accel-ops-mttcg.c) drops the
 * BQL around tcg_cpus_exec, whose cpu_exec runs translated blocks; the 2012 tree had one TCG
 * thread (qemu_tcg_cpu_thread_fn, tcg_exec_all), modelled per vCPU as the merged code does.
 */
type VcpuNames = Pick<FrameNames, 'vcpu_thread' | 'cpu_exec' | 'kvm_run'>;
const TCG_VCPU: VcpuNames = { vcpu_thread: 'mttcg_cpu_thread_fn', cpu_exec: 'tcg_cpus_exec', kvm_run: 'cpu_exec' };
const TCG_VCPU_2012: VcpuNames = { vcpu_thread: 'qemu_tcg_cpu_thread_fn', cpu_exec: 'tcg_cpu_exec', kvm_run: 'cpu_exec' };

/** A design's frame names on a host whose guest runs under `accel`. */
export function namesUnder(profile: DesignProfile, accel: 'kvm' | 'tcg'): FrameNames {
  if (accel === 'kvm') return profile.names;
  return { ...profile.names, ...(profile.name === 'rfc-2012' ? TCG_VCPU_2012 : TCG_VCPU) };
}

/**
 * The BQL in one QEMU's words. QEMU 9.0 renamed the iothread lock the Big QEMU Lock: `bql_lock()`,
 * the mutex `bql`, `qemu_cond_timedwait_bql()`. Before it, `qemu_mutex_lock_iothread()` on the
 * mutex `qemu_global_mutex`, and cpu_throttle_thread's `qemu_cond_timedwait_iothread()` (read in
 * 7.2; versions 2-8 get 7.2's words: the release that added that helper is not pinned here). In
 * QEMU 1.x the KVM vCPU thread took qemu_global_mutex by hand and kvm_cpu_exec set cpu_single_env.
 * `lock` and `unlock` are function names; a listing adds the call.
 */
export interface BqlWords {
  lock: string;
  unlock: string;
  /** the mutex as a condition wait names it */
  mutex: string;
  timedwait(cond: string, ms: string): string;
  /** QEMU 1.x */
  qemu1: boolean;
}

export function bqlWords(qemu_version: string): BqlWords {
  const [major] = qemu_version.split('.').map(Number);
  if (major >= 9) return { lock: 'bql_lock', unlock: 'bql_unlock', mutex: '&bql', timedwait: (c, ms) => `qemu_cond_timedwait_bql(${c}, ${ms})`, qemu1: false };
  const iothread = { lock: 'qemu_mutex_lock_iothread', unlock: 'qemu_mutex_unlock_iothread', mutex: '&qemu_global_mutex' };
  if (major >= 2) return { ...iothread, timedwait: (c, ms) => `qemu_cond_timedwait_iothread(${c}, ${ms})`, qemu1: false };
  return { ...iothread, timedwait: (c, ms) => `qemu_cond_timedwait(${c}, &qemu_global_mutex, ${ms})`, qemu1: true };
}

/** The QEMU whose words a run's listings use: the rfc-2012 design is the 2012 tree (QEMU 1.1) on
 *  any host; the others are built by the host's QEMU. */
export function listingQemu(profile: DesignProfile, host_qemu_version: string): string {
  return profile.name === 'rfc-2012' ? '1.1' : host_qemu_version;
}

/** A vCPU thread's name, as QEMU sets it (qemu_thread_create in the accelerator's create_vcpu_thread). */
export function vcpuThreadName(v: number, accel: 'kvm' | 'tcg'): string {
  return `CPU ${v}/${accel === 'tcg' ? 'TCG' : 'KVM'}`;
}

export interface DesignProfile {
  name: DesignProfileName;
  /** the migration thread holds the BQL while it walks and copies pages (the RFC) */
  bql_around_iterate: boolean;
  /** pages go out through sender threads (multifd channels, or the 2012 proposal's streams) */
  senders: boolean;
  /** sender threads copy pages into a buffer before sending (2012 style), or send guest memory in place (multifd nocomp) */
  senders_copy: boolean;
  /** senders check for zero pages (multifd zero-page-detection), not the migration thread */
  zero_detect_in_sender: boolean;
  /** a thread of its own syncs the dirty log, under a RAM-list lock instead of the BQL (the 2012 proposal) */
  bitmap_thread: boolean;
  /**
   * the migration thread checks every page for zero and sends zero pages on the main stream; only
   * normal pages go to the senders (multifd before QEMU 9.0 added zero-page-detection=multifd)
   */
  zero_pages_on_main_stream: boolean;
  /** multifd_send_sync_main at the end of every ram_save_iterate, not once per round over RAM (before QEMU 8.0) */
  multifd_sync_per_iterate: boolean;
  /** default number of sender threads when the scenario does not say */
  default_channels: number;
  names: FrameNames;
  summary: string;
}

const NO_SENDERS = { senders: false, senders_copy: false, zero_detect_in_sender: false, bitmap_thread: false, default_channels: 1, zero_pages_on_main_stream: false, multifd_sync_per_iterate: false };

export const DESIGN_PROFILES: Record<DesignProfileName, DesignProfile> = {
  'rfc-2012': {
    name: 'rfc-2012',
    bql_around_iterate: true,
    ...NO_SENDERS,
    names: RFC_2012,
    summary: 'migration thread that holds the BQL around each iterate step (page walk and copy), writing outside it; single sender (July 2012 RFC)',
  },
  'qemu-1.4': {
    name: 'qemu-1.4',
    bql_around_iterate: false,
    ...NO_SENDERS,
    names: MERGED,
    summary: 'migration thread that takes the BQL only for the dirty bitmap sync and completion; single sender (QEMU 1.4, commits 9b0950375277/32c835ba3984)',
  },
  modern: {
    name: 'modern',
    bql_around_iterate: false,
    senders: true,
    senders_copy: false,
    zero_detect_in_sender: true,
    bitmap_thread: false,
    zero_pages_on_main_stream: false,
    multifd_sync_per_iterate: false,
    default_channels: 2,
    names: MERGED,
    summary: 'multifd: the migration thread queues 128-page packets to sender channels that detect zero pages and send guest memory in place, with a sync per round; BQL only for the dirty bitmap sync (QEMU 9-10)',
  },
  'dedicated-bitmap-thread': {
    name: 'dedicated-bitmap-thread',
    bql_around_iterate: false,
    senders: true,
    senders_copy: true,
    zero_detect_in_sender: false,
    bitmap_thread: true,
    zero_pages_on_main_stream: false,
    multifd_sync_per_iterate: false,
    default_channels: 4,
    names: MERGED,
    summary: 'the 2012 reporter\'s proposal: a thread of its own syncs the dirty log under a RAM-list lock, off the main loop and the BQL; several sender threads copy and push their own streams',
  },
};

/**
 * A design as the host's QEMU builds it. The modern design is QEMU 9-10's multifd; on a host that
 * runs an older QEMU (HostCosts.qemu_version), its multifd is that QEMU's: before 9.0 the
 * migration thread finds zero pages and sends them on the main stream (zero-page-detection came
 * with 9.0), and before 8.0 the channels sync at the end of every ram_save_iterate rather than
 * once per round over RAM (multifd-flush-after-each-section). Read from QEMU 7.2's migration/ram.c
 * (ram_save_target_page, ram_save_iterate) and migration/multifd.c.
 */
export function designOnHost(p: DesignProfile, qemu_version: string): DesignProfile {
  if (p.name !== 'modern') return p;
  const [major] = qemu_version.split('.').map(Number);
  if (!(major < 9)) return p;
  return { ...p, zero_detect_in_sender: false, zero_pages_on_main_stream: true, multifd_sync_per_iterate: major < 8, summary: `${p.summary}; as QEMU ${qemu_version} has it: zero pages found by the migration thread and sent on the main stream${major < 8 ? ', the channels synced at the end of every ram_save_iterate' : ''}` };
}
