// A real migration with Debian's QEMU (TCG, loopback only): a source and a destination QEMU run
// migtrace's migration-test guest; the scenario's parameters and capabilities are set over QMP on
// both sides; the migration's trace events are logged; query-migrate is polled every 100 ms and
// the QEMU threads' states are sampled from /proc; the result is one .migtrace. Every QEMU is
// bounded in time and killed on any failure and on Ctrl-C (qemuProcess.ts).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import type { ModelConfig } from '../model/config';
import type { MigrationInfo } from '../qapi/migrationInfo';
import type { TraceSink } from '../trace/sink';
import { bootImage } from './bootImage';
import { importQemu, type ImportReport, type StateSample, type ThreadSeen } from './importQemu';
import { parseQmpSamples } from './qmpSamples';
import { QmpClient } from './qmp';
import { onAbnormalExit, startQemu, type QemuHandle } from './qemuProcess';
import { parseTraceLog } from './traceLog';

const MiB = 1024 * 1024;

export class QemuRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QemuRunError';
  }
}

/** Trace points enabled on the source and on the destination. */
const SOURCE_EVENTS = [
  'migrate_set_state', 'migration_bitmap_sync_start', 'migration_bitmap_sync_end', 'migration_thread_setup_complete',
  'migrate_pending', 'migration_thread_low_pending', 'migrate_transferred', 'migration_completion_vm_stop', 'migration_throttle',
  'ram_save_iterate_big_wait', 'migration_thread_after_loop', 'migration_thread_file_err', 'migrate_fd_error', 'migrate_fd_cancel',
  'multifd_send_sync_main', 'multifd_send_sync_main_signal', 'multifd_send_sync_main_wait', 'multifd_send_thread_start', 'multifd_send_thread_end',
];
const DEST_EVENTS = ['migrate_set_state', 'loadvm_state_setup', 'qemu_loadvm_state_post_main', 'multifd_recv_sync_main', 'multifd_recv_thread_start', 'multifd_recv_thread_end'];

/**
 * Guest RAM: 'memfd' (the default here) is a shared-memory backend in 4 KiB pages; 'anonymous' is
 * QEMU's own default, anonymous memory that QEMU asks to back with transparent huge pages. On a
 * host that hands freed huge pages back to its hypervisor (this one: a microVM with virtio-balloon
 * free page reporting), the first touch of THP memory costs ≈ 9 µs per 4 KiB when the memory was
 * freed a few seconds before, and nothing when it was not, so 'anonymous' runs swing 2-3x with the
 * host's recent history; 'memfd' runs do not (engine/model/calibration.ts, TCG_LOOPBACK).
 */
export type MemoryBackend = 'memfd' | 'anonymous';
export const MEMORY_BACKENDS: readonly MemoryBackend[] = ['memfd', 'anonymous'];

export interface QemuRunOptions {
  memory_backend?: MemoryBackend;
  /** wall clock in µs since the epoch (the CLI's; the engine has none of its own) */
  clock_us: () => number;
  qemu?: string;
  /** where the boot image is cached */
  cache_dir?: string;
  /** keep the work directory (logs, serial output, QMP samples) here instead of deleting it */
  keep_dir?: string;
  progress?: (text: string) => void;
  /**
   * run both QEMUs at this nice value (`nice -n N`, inherited by all their threads; negative
   * values need root): on a host shared with busy neighbours, a strongly negative value gives the
   * migration most of the CPUs, as on a quiet host; 0 or absent: as started
   */
  nice?: number;
}

export interface QemuRunResult {
  final: MigrationInfo | null;
  /** the last query-migrate with RAM figures (for a cancelled migration, the last while it ran) */
  last_stats: MigrationInfo | null;
  report: ImportReport;
  events: number;
  bytes: number;
  /** the guest's 'B's on the destination's serial port after the switchover: it runs there */
  destination_running: boolean;
  source_passes: number;
  /** the guest's passes over its memory (one 'B' each) between migrate and the end, per second */
  passes_per_s: number;
  qemu_version: string;
  wall_ms: number;
  /**
   * CPU time (user + system, ms) each QEMU thread used between the migrate command and the end of
   * the migration (sampled with query-migrate every 100 ms): what it cost each side, thread by thread
   */
  thread_cpu: { side: 'source' | 'destination'; name: string; cpu_ms: number }[];
  /** busy CPU time of the whole host (/proc/stat) over the same span: minus thread_cpu, what else ran */
  host_busy_ms: number;
}

/** Busy CPU time of the whole host so far, in ms (/proc/stat's first line, all but idle and iowait). */
function hostBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return ((f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0)) * 1000) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** What of a scenario a real QEMU run can honour; the first thing it cannot, as an error. */
export function checkRunnable(cfg: ModelConfig): void {
  if (cfg.workload.kind !== 'migration-test') throw new QemuRunError(`qemu-run runs QEMU's migration-test guest only; guest.workload.kind is "${cfg.workload.kind}"`);
  if (cfg.profile.name !== 'qemu-1.4' && cfg.profile.name !== 'modern') throw new QemuRunError(`QEMU 7.2 runs the qemu-1.4 (precopy) and modern (multifd) designs, not "${cfg.profile.name}"`);
  if (cfg.bugs.size > 0) throw new QemuRunError('bug variants exist in the model only; a real QEMU has the bugs it has');
  if (cfg.faults.length > 0) throw new QemuRunError('faults are injected in the model only');
  if (cfg.ram_bytes % MiB !== 0 || cfg.ram_bytes < 101 * MiB) throw new QemuRunError(`guest.memory must be whole MiB and at least 101 MiB (the guest writes up to 100 MiB), got ${cfg.ram_bytes} bytes`);
  if (cfg.xbzrle && cfg.profile.senders) throw new QemuRunError('XBZRLE and multifd do not go together');
}

/** The QEMU to run and the first line of its --version. */
function qemuBinary(o: QemuRunOptions): { bin: string; version: string } {
  const bin = o.qemu ?? process.env.MIGTRACE_QEMU ?? 'qemu-system-x86_64';
  try {
    return { bin, version: execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: 'pipe' }).split('\n')[0] };
  } catch {
    throw new QemuRunError(`${bin} not found: run \`node scripts/setup-qemu.mjs\` (installs Debian's qemu-system-x86 and binutils) or set MIGTRACE_QEMU`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux everywhere). */
const USER_HZ = 100;

/** Threads of `pid` with their /proc names, state letters and CPU time used (ms). */
function threadsOf(pid: number): { tid: number; name: string; state: string; cpu_ms: number }[] {
  const out: { tid: number; name: string; state: string; cpu_ms: number }[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      // fields after the command: state (3), ..., utime (14), stime (15)
      const f = stat.slice(close + 2).split(' ');
      out.push({ tid: Number(t), name, state: f[0], cpu_ms: ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function commonArgs(cfg: ModelConfig, img: string, name: string, dir: string, events: string[], backend: MemoryBackend): string[] {
  const eventsFile = join(dir, `${name}.events`);
  writeFileSync(eventsFile, `${events.join('\n')}\n`);
  return [
    ...(backend === 'memfd' ? ['-object', `memory-backend-memfd,id=ram0,size=${cfg.ram_bytes / MiB}M`, '-machine', 'pc,accel=tcg,memory-backend=ram0'] : ['-machine', 'pc,accel=tcg']), '-m', `${cfg.ram_bytes / MiB}M`, '-smp', String(cfg.vcpus),
    '-name', `${name},debug-threads=on`, '-display', 'none', '-nodefaults', '-no-user-config',
    '-drive', `file=${img},format=raw,if=ide,snapshot=on`,
    '-serial', `file:${join(dir, `${name}.serial`)}`,
    '-qmp', `unix:${join(dir, `${name}.qmp`)},server=on,wait=off`,
    '-trace', `events=${eventsFile}`, '-D', join(dir, `${name}.log`), '-msg', 'timestamp=on',
  ];
}

function countB(path: string): number {
  try {
    return readFileSync(path, 'latin1').split('B').length - 1;
  } catch {
    return 0;
  }
}

export async function qemuRun(cfg: ModelConfig, scenarioJson: string, sink: TraceSink, o: QemuRunOptions): Promise<QemuRunResult> {
  checkRunnable(cfg);
  const { bin, version } = qemuBinary(o);
  const img = bootImage(o.cache_dir ?? join(tmpdir(), 'migtrace-qemu'));
  const dir = mkdtempSync(join(o.keep_dir ?? tmpdir(), 'migtrace-qemu-run-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const guard = onAbnormalExit(() => {
    if (o.keep_dir === undefined) removeDir();
  });
  const started = o.clock_us();
  const progress = o.progress ?? (() => undefined);
  const lifetime_ms = Math.round(cfg.max_time_ns / 1e6) + 60_000;
  const backend = o.memory_backend ?? 'memfd';
  const port = await freePort();
  const handles: QemuHandle[] = [];
  const clients: QmpClient[] = [];
  const clockMs = () => o.clock_us() / 1000;
  try {
    // -incoming defer: the destination listens only once its capabilities and parameters are set
    // (multifd-channels sizes its listen backlog; with it unset, surplus channel connections wait
    // out a 1 s SYN retransmit).
    const niced = (args: string[]): [string, string[]] => (o.nice ? ['nice', ['-n', String(o.nice), bin, ...args]] : [bin, args]);
    const dst = startQemu('destination', ...niced([...commonArgs(cfg, img, 'dst', dir, DEST_EVENTS, backend), '-incoming', 'defer']), lifetime_ms);
    handles.push(dst);
    const src = startQemu('source', ...niced(commonArgs(cfg, img, 'src', dir, SOURCE_EVENTS, backend)), lifetime_ms);
    handles.push(src);
    const connect = async (h: QemuHandle, sock: string): Promise<QmpClient> => {
      try {
        return await QmpClient.connect(join(dir, sock), 10_000, clockMs);
      } catch (e) {
        const said = h.stderr.join('').trim();
        throw new QemuRunError(`the ${h.name} QEMU did not come up: ${said !== '' ? said : (e as Error).message}`);
      }
    };
    const qd = await connect(dst, 'dst.qmp');
    clients.push(qd);
    const qs = await connect(src, 'src.qmp');
    clients.push(qs);
    // The guest must be running its loop before the migration starts.
    const bootDeadline = clockMs() + 10_000;
    while (countB(join(dir, 'src.serial')) < 3) {
      if (clockMs() > bootDeadline) throw new QemuRunError(`the guest did not start on the source (no output on its serial port in 10 s); QEMU said: ${src.stderr.join('').trim()}`);
      await sleep(20);
    }
    if (cfg.start_delay_ns > 0) await sleep(cfg.start_delay_ns / 1e6);
    // Capabilities on both sides, parameters where QEMU wants them.
    const caps = [
      { capability: 'auto-converge', state: cfg.auto_converge.enabled },
      { capability: 'xbzrle', state: cfg.xbzrle },
      { capability: 'multifd', state: cfg.profile.senders },
    ];
    await qs.execute('migrate-set-capabilities', { capabilities: caps });
    await qd.execute('migrate-set-capabilities', { capabilities: caps.filter((c) => c.capability !== 'auto-converge') });
    const params: Record<string, unknown> = {
      'max-bandwidth': cfg.max_bandwidth_bytes_per_s,
      'downtime-limit': cfg.downtime_limit_ms,
      'cpu-throttle-initial': cfg.auto_converge.initial_pct,
      'cpu-throttle-increment': cfg.auto_converge.increment_pct,
      'max-cpu-throttle': cfg.auto_converge.max_pct,
      'throttle-trigger-threshold': cfg.auto_converge.trigger_threshold_pct,
    };
    if (cfg.profile.senders) params['multifd-channels'] = cfg.channels;
    if (cfg.xbzrle) params['xbzrle-cache-size'] = cfg.xbzrle_cache_pages * 4096;
    await qs.execute('migrate-set-parameters', params);
    if (cfg.profile.senders) await qd.execute('migrate-set-parameters', { 'multifd-channels': cfg.channels });
    await qd.execute('migrate-incoming', { uri: `tcp:127.0.0.1:${port}` });

    const samples: string[] = [];
    const states: StateSample[] = [];
    const seen = new Map<number, ThreadSeen>();
    const lastState = new Map<number, string>();
    const cpuMs = new Map<number, number>();
    const cpuAtStart = new Map<number, number>();
    const sampleThreads = (pid: number, side: 'source' | 'destination') => {
      const now = o.clock_us();
      for (const t of threadsOf(pid)) {
        const known = seen.get(t.tid);
        if (known === undefined || known.name !== t.name) seen.set(t.tid, { tid: t.tid, side, name: t.tid === pid ? 'main' : t.name });
        if (Number.isFinite(t.cpu_ms)) {
          cpuMs.set(t.tid, t.cpu_ms);
          if (!cpuAtStart.has(t.tid)) cpuAtStart.set(t.tid, t.cpu_ms);
        }
        if (lastState.get(t.tid) !== t.state) {
          lastState.set(t.tid, t.state);
          states.push({ time_us: now, tid: t.tid, state: t.state });
        }
      }
    };
    const passesAtStart = countB(join(dir, 'src.serial'));
    const busyAtStart = hostBusyMs();
    const migStart = clockMs();
    await qs.execute('migrate', { uri: `tcp:127.0.0.1:${port}` });
    let info: MigrationInfo = { status: 'setup' };
    let cancelled = false;
    let settleTries = 0;
    for (;;) {
      info = await qs.execute<MigrationInfo>('query-migrate');
      samples.push(JSON.stringify({ 'wall-us': o.clock_us(), return: info }));
      sampleThreads(src.pid, 'source');
      sampleThreads(dst.pid, 'destination');
      if (info.status === 'completed' && !((info['total-time'] ?? 0) > 0) && settleTries++ < 40) {
        // QEMU 7.2 reports "completed" a moment before the migration thread fills in total-time,
        // downtime and mbps (they read 0 in between): ask again until they are there.
        await sleep(25);
        continue;
      }
      if (info.status === 'completed' || info.status === 'failed' || info.status === 'cancelled') break;
      const elapsed = clockMs() - migStart;
      progress(`qemu-run ${cfg.name}: ${(elapsed / 1000).toFixed(1)} s, ${info.status}, transferred ${((info.ram?.transferred ?? 0) / MiB).toFixed(0)} MiB, remaining ${((info.ram?.remaining ?? 0) / MiB).toFixed(0)} MiB, syncs ${info.ram?.['dirty-sync-count'] ?? 0}`);
      if (!cancelled && elapsed > cfg.max_time_ns / 1e6) {
        // Did not converge within the scenario's bound: cancel, as the model does.
        cancelled = true;
        await qs.execute('migrate_cancel');
      }
      if (elapsed > cfg.max_time_ns / 1e6 + 30_000) throw new QemuRunError(`the migration did not end 30 s after it was cancelled (status ${info.status})`);
      await sleep(100);
    }
    progress('');
    sampleThreads(src.pid, 'source');
    sampleThreads(dst.pid, 'destination');
    const hostBusy = hostBusyMs() - busyAtStart;
    // The guest's passes over its 99 MiB while the migration ran: its real dirtying rate.
    const migMs = clockMs() - migStart;
    const passesDuring = countB(join(dir, 'src.serial')) - passesAtStart;
    // The guest runs on the destination after a completed migration: it keeps printing there.
    let destinationRunning = false;
    if (info.status === 'completed') {
      const before = countB(join(dir, 'dst.serial'));
      const deadline = clockMs() + 5000;
      while (clockMs() < deadline && !destinationRunning) {
        await sleep(50);
        destinationRunning = countB(join(dir, 'dst.serial')) > before;
      }
    }
    const sourcePasses = countB(join(dir, 'src.serial'));
    for (const c of clients) c.close();
    for (const h of handles) await h.stop();
    const srcLog = parseTraceLog(readFileSync(join(dir, 'src.log'), 'utf8'));
    const dstLog = parseTraceLog(existsSync(join(dir, 'dst.log')) ? readFileSync(join(dir, 'dst.log'), 'utf8') : '');
    writeFileSync(join(dir, 'progress.jsonl'), `${samples.join('\n')}\n`);
    const host = `${hostname()} ${release()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`;
    const { stats, report, final, last_with_stats } = importQemu(
      {
        logs: [{ side: 'source', pid: src.pid, log: srcLog }, { side: 'destination', pid: dst.pid, log: dstLog }],
        samples: parseQmpSamples(samples.join('\n')),
        threads: [...seen.values()],
        states,
        scenario_name: cfg.name,
        scenario_json: scenarioJson,
        qemu_version: version,
        host,
        ram_bytes: cfg.ram_bytes,
        vcpus: cfg.vcpus,
        extra: { 'memory-backend': backend, 'destination-running': destinationRunning, 'source-passes': sourcePasses, 'guest-passes-during-migration': passesDuring, 'guest-passes-per-s': Math.round((passesDuring / migMs) * 1000 * 10) / 10, 'qemu-version': version },
      },
      sink,
    );
    const threadCpu = [...seen.values()].map((t) => ({ side: t.side, name: t.name, cpu_ms: (cpuMs.get(t.tid) ?? 0) - (cpuAtStart.get(t.tid) ?? 0) }));
    return { final, last_stats: last_with_stats, report, events: stats.events, bytes: stats.bytes, destination_running: destinationRunning, source_passes: sourcePasses, passes_per_s: (passesDuring / migMs) * 1000, qemu_version: version, wall_ms: (o.clock_us() - started) / 1000, thread_cpu: threadCpu, host_busy_ms: hostBusy };
  } finally {
    for (const c of clients) c.close();
    for (const h of handles) await h.stop(500);
    guard.release();
    if (o.keep_dir === undefined) removeDir();
  }
}
