// The migration model's part of the simulation state (k.s.data): guest RAM, the migration's
// counters with QEMU's meanings, per-vCPU state, the link and the destination's queue. Plain
// data throughout, so snapshots and reverse execution cover it.

import type { GuestRam } from './guestRam';

export type { MigStatus } from '../qapi/migrationInfo';
import type { MigStatus } from '../qapi/migrationInfo';

/** The 2012 thread's stage 1/2/3, and the end. */
export type MigStage = 'before' | 'setup' | 'iterative' | 'stop-copy' | 'done';

export interface SyncRecord {
  /** dirty-sync-count after this sync */
  sync: number;
  time_ns: number;
  /** pages the sync found newly dirty */
  dirty_pages: number;
  /** bmap after the sync, in bytes (QEMU's remaining) */
  remaining_bytes: number;
  transferred_bytes: number;
  threshold_bytes: number;
  bandwidth_bytes_per_ms: number;
}

export interface MigrationState {
  status: MigStatus;
  stage: MigStage;
  start_ns: number;
  /** migration_thread's start, after the connect (setup-time counts from here, total-time from start_ns) */
  setup_start_ns: number;
  setup_end_ns: number;
  downtime_start_ns: number;
  end_ns: number;
  end_reason: string;
  /** ram.transferred: every byte handed to the stream (qemu_file_transferred) */
  transferred_bytes: number;
  /** ram.duplicate: zero pages sent */
  duplicate_pages: number;
  /** ram.normal */
  normal_pages: number;
  dirty_sync_count: number;
  /** pages newly found dirty per second over the last ≥1 s sync period (dirty-pages-rate) */
  dirty_pages_rate: number;
  period_start_ns: number;
  period_dirty_pages: number;
  dirty_bytes_last_sync: number;
  /** migration_update_counters window (BUFFER_DELAY) */
  window_start_ns: number;
  window_bytes: number;
  window_pages: number;
  bandwidth_bytes_per_ms: number;
  threshold_bytes: number;
  mbps: number;
  pages_per_second: number;
  expected_downtime_ms: number;
  /** rate limit per window in bytes; 0: unlimited (switchover) */
  rate_limit_bytes: number;
  /** what ram_save_iterate put into the QEMUFile's buffer and qemu_fflush has not written yet */
  file_bytes: number;
  file_zero_pages: number;
  file_normal_pages: number;
  /** where ram_find_and_save_block resumes, and full passes over RAM so far */
  cursor_word: number;
  passes: number;
  iterations: number;
  downtime_ns: number;
  /** bytes sent after the VM stopped (the stop-and-copy round and device state) */
  downtime_bytes: number;
  /** stale pages at switchover; -1 before completion */
  pages_lost: number;
  /** when ram_save_complete's final sync fetched the dirty log (-1 before): a write after it to a page already sent is lost */
  final_sync_ns: number;
  /** the first write that made a page certainly lost, or -1: when, which page, by which vCPU */
  first_loss_ns: number;
  first_loss_page: number;
  first_loss_vcpu: number;
  /** a write to the migration stream failed (migration_detect_error): why; '' if none */
  error: string;
  /** the VM was resumed after a failed completion */
  resumed: boolean;
  /** bytes sent by multifd channels (ram.multifd-bytes) */
  multifd_bytes: number;
  /** throughput samples (bytes per 100 ms window) for mean and peak */
  peak_window_bytes: number;
  history: SyncRecord[];
}

export interface VcpuState {
  /** pause requested (cpu->stop) and acknowledged (cpu->stopped) */
  stop: boolean;
  stopped: boolean;
  /** guest time run, userspace exits taken */
  guest_ns: number;
  exits: number;
  pages_written: number;
  /** guest time left until the next exit that needs the BQL */
  until_exit_ns: number;
  /** fractional page writes carried to the next interval (the workload's, and after it stopped) */
  carry: number;
  carry_after: number;
  /** auto-converge: cpu_throttle_thread was scheduled on this vCPU, and the time it spent throttled */
  throttle_scheduled: boolean;
  throttled_ns: number;
  /**
   * run_on_cpu work queued for this vCPU (queued_work_first != NULL), and what it is:
   * do_kvm_cpu_synchronize_state (stage 3 of aa723c23147e) or TCG's do_nothing after a dirty-log
   * sync; null when nothing is queued
   */
  queued_work: 'synchronize_state' | 'nothing' | null;
  /** QEMU holds the vCPU's registers (kvm_vcpu_dirty): synchronized, not yet put back */
  kvm_vcpu_dirty: boolean;
}

/** Auto-converge (migration_trigger_throttle / cpu-throttle.c). */
export interface ThrottleState {
  /** cpu-throttle-percentage; 0 when not throttling */
  pct: number;
  dirty_rate_high_cnt: number;
  /** migration_transferred_bytes at the start of the current sync period (bytes_xfer_prev) */
  xfer_prev: number;
  /** next cpu_throttle_timer_tick, or -1 */
  next_tick_ns: number;
  /** how many times the throttle went up, and how high it went */
  steps: number;
  max_pct: number;
}

/** XBZRLE's page cache: a FIFO ring of cached pages and a bitmap of which pages it holds. */
export interface XbzrleState {
  /** the direct-mapped page cache: the page in each slot (-1 empty), and the sync count when it was inserted or last hit */
  slot_page: Int32Array;
  slot_age: Int32Array;
  /** XBZRLECacheStats */
  bytes: number;
  pages: number;
  cache_miss: number;
  overflow: number;
}

export interface MultifdChannel {
  /** the sender has taken its packet and is sending it (multifd-sync-lost-post looks at this) */
  sending: boolean;
  pending_job: boolean;
  pending_sync: boolean;
  job_zero: number;
  job_normal: number;
  job_bytes: number;
  packets: number;
  bytes: number;
}

export interface FaultState {
  /** index of the next fault to apply */
  next: number;
  link_cut_ns: number;
  dst_crashed_ns: number;
  /** link bandwidth factor (bandwidth collapse) */
  bw_factor: number;
}

export interface LinkState {
  /** when the wire finishes what was handed to it */
  free_at_ns: number;
  bytes_total: number;
  /** pages handed to the wire so far (all streams): the first `pages` of them are the first pass */
  pages_handed: number;
  /** per destination channel: bytes handed to its socket so far (TCP flow control, network.ts) */
  sent_bytes: number[];
  /** per channel: its sender waits for the destination to make room */
  flow_waiting: boolean[];
  /** per destination channel, on hosts without shared CPUs: when it will have loaded what it was sent (network.ts wireSend) */
  dst_free_at_ns: number[];
}

export interface DstBatch {
  arrive_ns: number;
  bytes: number;
  zero_pages: number;
  normal_pages: number;
  /** pages the destination places for the first time (its RAM there was never touched): zero pages, normal pages */
  first_touch_zero: number;
  first_touch_normal: number;
}

export interface DestinationState {
  /** per channel: 0 is the main stream, 1.. the multifd channels */
  queues: DstBatch[][];
  loaded_pages: number;
  /** per channel: bytes loaded so far, and of the batch being loaded (read from the socket) */
  loaded_bytes: number[];
  loading_bytes: number[];
  crashed: boolean;
}

export interface WorkloadState {
  /** per-vCPU sequential cursors (page offset within the vCPU's share of the working set) */
  seq_cursor: number[];
  running: boolean;
}

export interface MigData {
  ram: GuestRam;
  mig: MigrationState;
  vcpus: VcpuState[];
  link: LinkState;
  dst: DestinationState;
  workload: WorkloadState;
  /** main loop: next query-migrate poll */
  next_query_ns: number;
  throttle: ThrottleState;
  xbzrle: XbzrleState | null;
  multifd: { channels: MultifdChannel[]; next: number };
  faults: FaultState;
  /** a stop of the VM asked of the main loop (qemu_system_vmstop_request) and not yet done */
  vmstop_requested: boolean;
  /** cpu_single_env: the vCPU whose thread holds the BQL inside kvm_cpu_exec, or -1 */
  cpu_single_env: number;
  /** the dedicated bitmap thread has a sync to do / has done it */
  bitmap_sync_pending: boolean;
}

export function createMigrationState(): MigrationState {
  return {
    status: 'none',
    stage: 'before',
    start_ns: 0,
    setup_start_ns: 0,
    setup_end_ns: 0,
    downtime_start_ns: 0,
    end_ns: 0,
    end_reason: '',
    transferred_bytes: 0,
    duplicate_pages: 0,
    normal_pages: 0,
    dirty_sync_count: 0,
    dirty_pages_rate: 0,
    period_start_ns: 0,
    period_dirty_pages: 0,
    dirty_bytes_last_sync: 0,
    window_start_ns: 0,
    window_bytes: 0,
    window_pages: 0,
    bandwidth_bytes_per_ms: 0,
    threshold_bytes: 0,
    mbps: 0,
    pages_per_second: 0,
    expected_downtime_ms: 0,
    rate_limit_bytes: 0,
    file_bytes: 0,
    file_zero_pages: 0,
    file_normal_pages: 0,
    cursor_word: 0,
    passes: 0,
    iterations: 0,
    downtime_ns: 0,
    downtime_bytes: 0,
    pages_lost: -1,
    final_sync_ns: -1,
    first_loss_ns: -1,
    first_loss_page: -1,
    first_loss_vcpu: -1,
    error: '',
    resumed: false,
    multifd_bytes: 0,
    peak_window_bytes: 0,
    history: [],
  };
}
