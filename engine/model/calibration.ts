// Every calibration constant of the migration model, in one place, with where it comes from.
// research/ refers to ../shared/research in the project's working copy; "fitted" means chosen so
// that the model reproduces a published figure (the fit is checked by `npm run validate`), and the
// figure is named. Change a constant here and `npm run validate` shows what it moves.

export interface HostCosts {
  /**
   * host CPUs that the source's and destination's threads share (engine/sim/hostCpus.ts: processor
   * sharing); 0: every thread has a CPU of its own, as on the big hosts of the published figures
   */
  cpus: number;
  /**
   * spread of the host's speed from run to run (engine/model/hostSpeed.ts): each run's CPU costs
   * are multiplied by a seeded factor in [1 − spread, 1 + spread]; 0: the same speed every run
   */
  run_speed_spread: number;
  /** the QEMU this host runs, where its version changes what a design does (profiles.ts designOnHost) */
  qemu_version: string;
  /**
   * the accelerator the guest runs under. Under TCG, every dirty-log sync ends with
   * memory_global_after_dirty_log_sync → tcg_log_global_after_sync: run_on_cpu(cpu, do_nothing)
   * on each vCPU, so the sync waits for every vCPU to finish what it is running (a TB, or a whole
   * cpu_throttle_thread sleep) and serve its queued work (softmmu/physmem.c in 7.2, system/physmem.c
   * later)
   */
  accel: 'kvm' | 'tcg';
  /** find_dirty_block: cost per 32 clean pages skipped while looking for the next dirty page */
  bitmap_scan_ns_per_word: number;
  /** detect a zero page (buffer_is_zero over 4 KiB, faulting in untouched memory) and emit its 9-byte record */
  zero_page_ns: number;
  /** check, frame (8-byte header) and copy one normal page into the stream buffer */
  normal_page_ns: number;
  /** socket write (qemu_fflush → writev): CPU time per KiB handed to the kernel */
  send_ns_per_kib: number;
  /** migration_bitmap_sync: KVM_GET_DIRTY_LOG plus the bitmap merge, per GiB of guest RAM */
  sync_ns_per_gib: number;
  /** fixed part of a sync (ioctls, RCU, locks) */
  sync_ns_fixed: number;
  /** ram_save_setup: allocating and filling the bitmaps, per GiB */
  setup_ns_per_gib: number;
  /** non-iterable device state written at completion (vmstate of CPUs and devices) */
  device_state_bytes_per_vcpu: number;
  device_state_bytes_fixed: number;
  device_state_ns: number;
  /** destination: ram_load of one normal page / one zero page */
  load_normal_page_ns: number;
  load_zero_page_ns: number;
  /** destination: the first write to a page of its RAM (a page fault that allocates and zeroes it) */
  load_first_touch_ns: number;
  /** destination: a zero page placed where its RAM was never touched (ram_handle_compressed reads it with buffer_is_zero) */
  load_zero_first_touch_ns: number;
  /** socket send buffer: how far the sender may run ahead of the wire */
  socket_buffer_bytes: number;
  /** main loop: how often it wakes to run timers and bottom halves, and its BQL hold when it does */
  main_loop_wakeups_per_s: number;
  main_loop_bql_ns: number;
  /** a management poll of query-migrate (libvirt polls every 50 ms during migration) */
  query_migrate_interval_ns: number;
  query_migrate_bql_ns: number;
  /** time for a kicked vCPU to leave KVM_RUN */
  vcpu_kick_ns: number;
  /** multifd: the migration thread's cost to find a dirty page and queue it into a packet */
  multifd_queue_ns_per_page: number;
  /** zero check of a page that is not zero (buffer_is_zero stops at the first non-zero word) */
  zero_check_normal_ns: number;
  /** XBZRLE: encode one page against its cached copy (docs/xbzrle.txt: 2-2.5 GB/s) */
  xbzrle_encode_ns: number;
}

/**
 * The 2012 source host of the RFC report (research/seed-thread-2012-migration-thread-rfc.txt):
 * 128 GiB / 10 vCPU guest, 10 Gb/s private link, QEMU 1.1 with the migration-thread RFC.
 *  - normal_page_ns + send cost (≈ 16 µs per normal page): fitted to the SpecJBB run, 129,937,687 kB
 *    in 543,228 ms, i.e. ≈ 1.96 Gb/s from one sender thread on a 10 Gb/s link ("< ~1.5-3.0Gb/sec").
 *    The 2012 ram_save_block tested and reset dirty bits page by page, checked is_dup_page over
 *    the whole page and copied it through buffered_file: a CPU-bound path (DESIGN.md).
 *  - zero_page_ns: fitted to the idle run, 3,811,345 kB in 199,743 ms: ≈ 33 M zero pages account
 *    for almost all of the 200 s, ≈ 5.7 µs each, which is the cost of reading never-touched guest
 *    memory (a minor fault per 4 KiB page on the host) rather than of the 9 bytes sent.
 *  - bitmap_scan_ns_per_word: 2012 walked the migration bitmap one page at a time
 *    (migration_bitmap_test_and_reset_dirty), ≈ 20 ns per clean page, 32 pages a word.
 *  - sync_ns_per_gib: 2012's migration_bitmap_sync updated ram_list's byte-per-page dirty flags
 *    page by page; ≈ 1.5 ms per GiB (an estimate: the thread gives no figure).
 */
export const CHEGU_2012: HostCosts = {
  // 2012: a large NUMA host whose 10 vCPUs, migration thread and destination did not compete for CPUs
  cpus: 0,
  // the published runs are single runs: no spread to fit
  run_speed_spread: 0,
  // QEMU 1.1 with the migration-thread RFC (the report's)
  qemu_version: '1.1',
  accel: 'kvm',
  bitmap_scan_ns_per_word: 640,
  zero_page_ns: 5_700,
  normal_page_ns: 7_000,
  send_ns_per_kib: 2_200,
  sync_ns_per_gib: 1_500_000,
  sync_ns_fixed: 200_000,
  setup_ns_per_gib: 2_000_000,
  device_state_bytes_per_vcpu: 64 * 1024,
  device_state_bytes_fixed: 2 * 1024 * 1024,
  device_state_ns: 30_000_000,
  load_normal_page_ns: 3_000,
  load_zero_page_ns: 500,
  // not modelled separately for the 2012-2013 hosts: their fits include it
  load_first_touch_ns: 0,
  load_zero_first_touch_ns: 0,
  socket_buffer_bytes: 4 * 1024 * 1024,
  main_loop_wakeups_per_s: 100,
  main_loop_bql_ns: 20_000,
  query_migrate_interval_ns: 50_000_000,
  query_migrate_bql_ns: 50_000,
  vcpu_kick_ns: 20_000,
  multifd_queue_ns_per_page: 200,
  zero_check_normal_ns: 100,
  xbzrle_encode_ns: 4_000,
};

/**
 * Chegu's host in 2013, QEMU 1.6 (the auto-converge commit 7ca1dfad952d: 256 GB / 20 vCPU, SpecJBB-
 * like, speed 20 Gb, downtime 4 s; research/qemu-migration-facts.md §6):
 *  - normal_page_ns + send as chegu-2012: the run without auto-converge sent 383 GB in 1,487 s,
 *    2.06 Gb/s from one sender, the same ≈ 16 µs per normal page.
 *  - zero_page_ns: QEMU 1.5-1.6 found zero pages with buffer_find_nonzero_offset (vectorised) and
 *    no longer sent them in the bulk stage; fitted to the run with auto-converge (241 s, 28 GB
 *    sent, 65 M of 67 M pages zero): ≈ 2 µs per zero page.
 *  - sync_ns_per_gib: fitted to the run without auto-converge: 383 GB in 1,487 s is the sender's
 *    full rate, so the syncs between rounds (every second or two, near the threshold) cost
 *    little: ≈ 0.25 ms per GiB (64 ms for 256 GB), against 2012's estimated 1.5 ms.
 */
export const CHEGU_2013: HostCosts = {
  ...CHEGU_2012,
  qemu_version: '1.6',
  accel: 'kvm',
  zero_page_ns: 2_000,
  bitmap_scan_ns_per_word: 20,
  sync_ns_per_gib: 250_000,
};

/**
 * A current x86 host running QEMU 8-10 (research/qemu-migration-facts.md §6):
 *  - sync_ns_per_gib: ByteDance measured migration_bitmap_sync at 73 ms for 256 GB → 0.29 ms/GiB.
 *  - normal_page_ns + send: one channel moves ≈ 1.3-1.5 GB/s; multifd with 8 channels saturates
 *    10 Gb/s (10,848 mbps, qatzip-compression.rst), so a sender is ≈ 2.7 µs per page.
 *  - zero_page_ns: buffer_is_zero with AVX2 over 4 KiB, ≈ 0.15 µs on touched memory.
 *  - bitmap_scan_ns_per_word: find_next_bit, ≈ 1 ns per 64 pages.
 */
export const MODERN_X86: HostCosts = {
  cpus: 0,
  run_speed_spread: 0,
  qemu_version: '10.0',
  accel: 'kvm',
  bitmap_scan_ns_per_word: 1,
  zero_page_ns: 150,
  normal_page_ns: 900,
  // assumed: one TCP stream's send path at ≈ 1 GB/s per core, so one channel sends ≈ 8 Gb/s
  send_ns_per_kib: 1_000,
  sync_ns_per_gib: 290_000,
  sync_ns_fixed: 50_000,
  setup_ns_per_gib: 500_000,
  device_state_bytes_per_vcpu: 64 * 1024,
  device_state_bytes_fixed: 2 * 1024 * 1024,
  device_state_ns: 10_000_000,
  load_normal_page_ns: 700,
  load_zero_page_ns: 100,
  // anonymous memory in transparent huge pages: zeroing 2 MiB per 512 pages, ≈ 0.1 µs a page (assumed)
  load_first_touch_ns: 100,
  // not known apart from a normal page's first touch: the same (assumed)
  load_zero_first_touch_ns: 100,
  socket_buffer_bytes: 4 * 1024 * 1024,
  main_loop_wakeups_per_s: 100,
  main_loop_bql_ns: 10_000,
  query_migrate_interval_ns: 50_000_000,
  query_migrate_bql_ns: 20_000,
  vcpu_kick_ns: 5_000,
  multifd_queue_ns_per_page: 20,
  zero_check_normal_ns: 20,
  xbzrle_encode_ns: 1_800,
};

/**
 * This machine running Debian's QEMU 7.2 under TCG, source and destination on loopback (2 cores),
 * guest RAM on a memfd backend (qemuRun.ts says why): the host of `migtrace qemu-run`, so that real
 * and simulated runs of a scenario can be compared. Measured with `npm run validate -- --calibrate 4`
 * (test/validate/main.ts): the migration-test guest (150 MiB) four times at unlimited bandwidth
 * with a 50 ms downtime limit (never converges: 3 s of live periods) and four times at 64 MB/s with
 * 2.5 s (converges after one 100 ms period, so nearly all of RAM goes in the stop-and-copy phase),
 * the figures read back from the recorded traces. On 2026-11-26:
 *  - live throughput, from migrate_transferred (bytes / time_spent per 100 ms period, guest
 *    running): median 1,555 MB/s over 116 periods (1,400-1,670 after the first pass) →
 *    normal_page_ns + 4 × send_ns_per_kib = 2.6 µs per 4 KiB page;
 *  - the first pass and the stop-and-copy of never-sent pages are slower (657 MB/s and 863-1,004
 *    MB/s): the destination faults in each page of its RAM on first write. load_first_touch_ns is
 *    fitted to the stop-and-copy: 1.5 µs puts the model's 64 MB/s, 2.5 s downtime at 110 ms
 *    against 99-109 ms real (network.ts holds the sender back to the destination's pace);
 *  - migration_bitmap_sync slices: median 0.08 ms for 150 MiB (0.03-5.3 ms): mostly fixed cost;
 *  - setup-time: 0-5 ms; device_state_ns (8 ms) is assumed, not measured.
 * The guest's dirtying (config.ts, migration-test) comes from the same runs: a median of 441 passes
 * over its 99 MiB per second during the migration (202-599 in single runs; 292-309 in earlier
 * batches), i.e. every page is dirty again within a few ms of being sent.
 * Since 2026-12-01 the per-page CPU costs (zero_page_ns, normal_page_ns, load_normal_page_ns,
 * load_first_touch_ns, load_zero_first_touch_ns) are fitted on the FIT half of the real set
 * (test/validate/realSet.ts, cached in test/fixtures/real-validation; `npm run validate --
 * --calibrate` regresses each QEMU thread's CPU time on its page counts); the held-out half is
 * predicted with them. Those runs were collected with other processes taking more than one of the
 * two CPUs (the fixtures say by how much): CPU time per page is what was fitted, not wall time.
 * The two host CPUs are shared by the source vCPU, the migration thread, the multifd senders and
 * the destination's threads (cpus: 2, engine/sim/hostCpus.ts).
 */
export const TCG_LOOPBACK: HostCosts = {
  ...MODERN_X86,
  // Debian 12's qemu-system-x86 1:7.2+dfsg-7+deb12u18 (7.2.22)
  qemu_version: '7.2',
  // measured: qemu-run starts both QEMUs with accel=tcg (engine/qemu/qemuRun.ts; no /dev/kvm here)
  accel: 'tcg',
  // measured: nproc, /proc/cpuinfo
  cpus: 2,
  run_speed_spread: 0.1,
  bitmap_scan_ns_per_word: 2,
  // fitted on the fit half (npm run validate -- --calibrate, 2026-12-01): the migration thread's CPU
  // per zero page, 5.4 µs: reading a never-touched page of the memfd-backed guest RAM allocates it
  zero_page_ns: 5_400,
  // fitted on the fit half: 1,984 ns of migration-thread CPU per normal page, less the socket copy
  normal_page_ns: 400,
  send_ns_per_kib: 400,
  sync_ns_per_gib: 250_000,
  sync_ns_fixed: 50_000,
  setup_ns_per_gib: 4_000_000,
  device_state_ns: 8_000_000,
  // fitted on the fit half: the destination's CPU per normal page resent 755 ns, per page of the
  // first pass 5,189 ns (so its first touch ≈ 4.4 µs), per zero page 5,703 ns (first touch included)
  load_normal_page_ns: 750,
  load_zero_page_ns: 100,
  load_first_touch_ns: 4_400,
  load_zero_first_touch_ns: 5_600,
  main_loop_bql_ns: 10_000,
  query_migrate_interval_ns: 100_000_000,
};

export const HOST_COSTS = {
  'chegu-2012': CHEGU_2012,
  'chegu-2013': CHEGU_2013,
  'modern-x86': MODERN_X86,
  'tcg-loopback': TCG_LOOPBACK,
} as const;

/** QEMU's own constants (research/qemu-migration-facts.md §1-2). */
export const QEMU = {
  PAGE_SIZE: 4096,
  /** 8-byte header + page */
  NORMAL_PAGE_WIRE_BYTES: 4096 + 8,
  /** 8-byte header + 1 byte */
  ZERO_PAGE_WIRE_BYTES: 9,
  /** BUFFER_DELAY: counters and the rate limit run in 100 ms windows */
  BUFFER_DELAY_NS: 100_000_000,
  /** ram_save_iterate returns after MAX_WAIT ms */
  MAX_WAIT_NS: 50_000_000,
  /** expected_downtime is updated only from a 100 ms window that transferred more than this */
  EXPECTED_DOWNTIME_MIN_BYTES: 10_000,
  /** auto-converge looks at periods of at least 1 s */
  DIRTY_RATE_PERIOD_NS: 1_000_000_000,
  /** auto-converge needs this many high-dirty-rate periods in a row to throttle (dirty_rate_high_cnt) */
  THROTTLE_TRIGGER_PERIODS: 2,
  /** CPU_THROTTLE_TIMESLICE_NS: the throttle period is this / (1 - pct) */
  CPU_THROTTLE_TIMESLICE_NS: 10_000_000,
  /** multifd packets carry up to 128 pages (512 KiB) */
  MULTIFD_PACKET_PAGES: 128,
  /** multifd packet header and per-page offset */
  MULTIFD_PACKET_HEADER_BYTES: 64,
  MULTIFD_PAGE_OFFSET_BYTES: 8,
  /** XBZRLE: 8-byte page header + 1-byte ENCODING_FLAG_XBZRLE + 2-byte length before the encoding (ram.c save_xbzrle_page) */
  XBZRLE_HEADER_BYTES: 11,
} as const;

/**
 * The 2012 stage-3 bug (aa723c23147e, scenario seed-stage3-hang): what the model takes from the
 * sources and what it assumes. Sourced (2012 cpus.c, kvm-all.c, savevm.c; research/qemu-migration-
 * facts.md §4): vm_stop from a thread that is not the iothread only queues the request
 * (qemu_system_vmstop_request, qemu_notify_event) and calls cpu_stop_current(); cpu_single_env is
 * NULL whenever a non-vCPU thread holds the BQL (kvm_cpu_exec clears it before KVM_RUN and on
 * return), so cpu_stop_current stops nobody; qemu_savevm_state_complete begins with
 * cpu_synchronize_all_states(), which for each vCPU whose registers QEMU does not hold
 * (!kvm_vcpu_dirty) calls run_on_cpu: queue the work, kick the vCPU, and wait on qemu_work_cond
 * with the BQL dropped until the vCPU has run it; the main loop serves a queued stop request under
 * the BQL once it holds it (main_loop_should_exit → do_vm_stop). Sourced from e76274824def: the
 * RFC's migrate_fd_put_ready calls vm_stop_force_state and qemu_savevm_state_complete in one BQL
 * hold. Assumed: the cost of the work (KVM_GET_REGS, SREGS, MSRS, FPU and friends), below; that the
 * reporter ran KVM with its dirty log (a write after the final sync is never sent); and what the
 * reporter saw as a hang: the sources do not say what hung, and the model shows what this mechanism
 * produces: on schedules where the main loop never gets the BQL while cpu_synchronize_all_states
 * waits, ram_save_complete runs with the vCPUs still running, the guest and the monitor freeze
 * behind the BQL while it sends, and pages written after its final sync are lost at switchover.
 */
export const STAGE3 = {
  /** do_kvm_cpu_synchronize_state (kvm_arch_get_registers: a handful of KVM_GET_* ioctls), assumed */
  SYNC_REGISTERS_NS: 5_000,
  /** kvm_arch_put_registers before the next KVM_RUN of a vCPU whose registers QEMU held, assumed */
  PUT_REGISTERS_NS: 5_000,
} as const;

/** Seeded jitter applied to CPU costs, so that races happen intermittently, as on real hosts. */
export const COST_JITTER = 0.05;
