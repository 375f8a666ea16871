// The bad-input corpus of issue 9 part 4, through the shipped command as a user runs it: every
// mistake reported there, then every file-system error that can be made here for every output
// and input path. Each: the documented exit code, one line naming the path or flag (no stack, no
// "internal error"), every input's sha256 unchanged, no stray or half-written output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, chmodSync, openSync, closeSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCase, checkResult, cli, inPool, ROWS, writeTable, type BadCase } from './cliHarness';

const root = mkdtempSync(join(tmpdir(), 'migtrace-bad-'));
let good: Uint8Array;
const isRoot = process.getuid?.() === 0;

/** A scenario whose run would not end for hours: a check made after the run would time out. */
const endless = JSON.stringify({
  name: 'endless',
  guest: { memory: '1G', vcpus: 4, workload: { kind: 'specjbb', 'working-set': '900M', 'dirty-rate': 2_000_000 } },
  migration: { 'max-bandwidth': '1M' },
  limits: { 'max-time': 1e6, watchdog: 1e6 },
});

before(async () => {
  const r = await cli(['run', 'qtest-bootblock', '--seed', '3', '--out', 'good.migtrace', '-q'], root);
  assert.equal(r.status, 0, r.stderr);
  good = readFileSync(join(root, 'good.migtrace'));
});

after(() => {
  writeTable('issue 9 part 4 and file-system errors');
  chmodAll(root);
  rmSync(root, { recursive: true, force: true });
});

function chmodAll(d: string): void {
  spawnSync('chmod', ['-R', 'u+rwx', d]);
}

async function runAll(cases: BadCase[], offset: number): Promise<void> {
  await inPool(cases, 3, (c, i) => checkCase(root, c, offset + i).then(() => undefined));
}

/** Whether creating a file in `dir` fails even for this user (root ignores a directory's mode). */
function unwritable(dir: string): boolean {
  try {
    closeSync(openSync(join(dir, `.migtrace-probe-${process.pid}`), 'w'));
    rmSync(join(dir, `.migtrace-probe-${process.pid}`));
    return false;
  } catch {
    return true;
  }
}

test('issue 9 part 4 as reported: each mistake is one line, exit 2 (or 7 for a damaged trace), nothing lost', async () => {
  const t = () => ({ 'good.migtrace': good });
  const flip12 = Uint8Array.from(good);
  flip12[12] ^= 0x01;
  const cases: BadCase[] = [
    { args: ['run', 'qtest-bootblock', '--out', 'nodir/x.migtrace', '-q'], exit: 2, names: ['--out', 'nodir/x.migtrace'], says: /directory nodir does not exist/ },
    { args: ['export', 'good.migtrace', '--perfetto', 'nodir/x'], files: t(), exit: 2, names: ['--perfetto', 'nodir/x'], says: /directory nodir does not exist/ },
    { args: ['run', 'qtest-bootblock', '--out', 'd', '-q'], files: { d: null }, exit: 2, names: ['--out', 'd'], says: /is a directory; expected a file name/ },
    { args: ['run', 'endless.json', '--out', 'd', '-q'], files: { d: null, 'endless.json': endless }, exit: 2, names: ['--out', 'd'], says: /is a directory/ },
    { args: ['run', 'qtest-bootblock', '--seed', '-1'], exit: 2, names: ['--seed', '-1'], says: /must be 0 or more/ },
    { args: ['demo', '--seed', '-1'], exit: 2, names: ['--seed', '-1'], says: /must be 0 or more/ },
    { args: ['compare', 'qtest-bootblock', '--profiles', 'modern', '--seed', '-1'], exit: 2, names: ['--seed', '-1'], says: /must be 0 or more/ },
    { args: ['qemu-run', 'qtest-bootblock', '-o', 'q.migtrace', '--keep-logs', '/nonexistent'], exit: 2, names: ['--keep-logs', '/nonexistent'], says: /no such directory; expected an existing directory/ },
    { args: ['export', 'self.migtrace', '--perfetto', 'self.migtrace'], files: { 'self.migtrace': good }, exit: 2, names: ['--perfetto', 'self.migtrace'], says: /is the input <trace> self\.migtrace of this command; writing it would destroy it/ },
    { args: ['run', 'qtest-bootblock', '--compare', 'x.migtrace', '--out', 'x.migtrace', '-q'], files: { 'x.migtrace': good }, exit: 2, names: ['--out', 'x.migtrace'], says: /is the input --compare x\.migtrace/ },
    { args: ['export', './sub/../self.migtrace', '--chrome', 'self.migtrace'], files: { 'self.migtrace': good, sub: null }, exit: 2, names: ['--chrome', 'self.migtrace'], says: /is the input <trace>/ },
    { args: ['info', 'cut.migtrace'], files: { 'cut.migtrace': good.subarray(0, good.length - 100) }, exit: 7, names: ['cut.migtrace'], says: /is incomplete: the file \(\d+ bytes\) ends inside the packet at byte \d+/ },
    { args: ['replay', 'cut.migtrace'], files: { 'cut.migtrace': good.subarray(0, good.length - 100) }, exit: 7, names: ['cut.migtrace'], says: /is incomplete: .*the replay checked only the \d+ events before byte \d+/ },
    { args: ['export', 'cut.migtrace', '--chrome', 'cut.json'], files: { 'cut.migtrace': good.subarray(0, good.length - 100) }, creates: ['cut.json'], exit: 7, names: ['cut.migtrace'], says: /is incomplete: .*exporting the \d+ events/ },
    { args: ['info', 'flip12.migtrace'], files: { 'flip12.migtrace': flip12 }, exit: 7, names: ['flip12.migtrace'], says: /damaged: its header packet is bad, so nothing can be read: the packet at byte 8 \(\d+ bytes, to byte \d+\) fails its checksum/ },
    { args: ['info', 'two.migtrace'], files: { 'two.migtrace': Buffer.concat([good, good]) }, exit: 7, names: ['two.migtrace'], says: new RegExp(`is damaged: ${good.length} bytes of trailing data after the footer, from byte ${good.length} to the end \\(byte ${2 * good.length}\\): they start with a migtrace magic`) },
    { args: ['info', 'tail.migtrace'], files: { 'tail.migtrace': Buffer.concat([good, Buffer.alloc(3 << 20, 0x5a)]) }, exit: 7, names: ['tail.migtrace'], says: new RegExp(`${3 << 20} bytes of trailing data after the footer, from byte ${good.length} to the end \\(byte ${good.length + (3 << 20)}\\)`) },
    { args: ['run', 'qtest-bootblock', '--out', '--json'], exit: 2, names: ['--out', '--json'], says: /needs a value \(F\.migtrace\), got the flag --json/ },
    { args: ['run', 'm.json', '-q'], files: { 'm.json': JSON.stringify({ guest: { memory: 4097.5, vcpus: 1, workload: { kind: 'idle' } } }) }, exit: 2, names: ['m.json', 'guest.memory', '4097.5'], says: /not a whole number of bytes/ },
  ];
  await runAll(cases, 0);
});

test('every output flag refuses, before the run, a path it cannot write: one line, nothing left behind', async () => {
  const outputs: { cmd: string[]; flag: string; files: Record<string, string | Uint8Array | null> }[] = [
    { cmd: ['run', 'endless.json', '-q'], flag: '--out', files: { 'endless.json': endless } },
    { cmd: ['export', 'good.migtrace'], flag: '--perfetto', files: { 'good.migtrace': good } },
    { cmd: ['export', 'good.migtrace'], flag: '--chrome', files: { 'good.migtrace': good } },
    { cmd: ['qemu-run', 'qtest-bootblock'], flag: '-o', files: {} },
    { cmd: ['import-qemu', 'src.log'], flag: '-o', files: { 'src.log': '1234@1700000000.000001:migration_bitmap_sync_start \n' } },
  ];
  const bad: { path: string; files?: Record<string, string | null>; says: RegExp; prepare?: (dir: string) => void; skip?: boolean }[] = [
    { path: 'nodir/x', says: /its directory nodir does not exist/ },
    { path: 'a/b/c/x', says: /its directory a\/b\/c does not exist \(a does not\)/ },
    { path: 'file.txt/x', files: { 'file.txt': 'a file\n' }, says: /file\.txt is a file, not a directory/ },
    { path: 'd', files: { d: null }, says: /is a directory; expected a file name/ },
    { path: 'd/', files: { d: null }, says: /names a directory; expected a file name/ },
    { path: '.', says: /is a directory/ },
    { path: '/dev/null', says: /is a character device; expected a file name/ },
    { path: '/proc/x.migtrace', says: /cannot create \/proc\/x\.migtrace\.partial: no such file or directory \(ENOENT\)/ },
    // A directory this user cannot write: as root a mode does not stop writes, so /sys stands in.
    isRoot
      ? { path: '/sys/x.migtrace', says: /cannot create \/sys\/x\.migtrace\.partial: permission denied \(EACCES\)/, skip: !unwritable('/sys') }
      : { path: 'ro/x.migtrace', files: { ro: null }, prepare: (d) => chmodSync(join(d, 'ro'), 0o555), says: /cannot create ro\/x\.migtrace\.partial: permission denied \(EACCES\)/ },
  ];
  const cases: BadCase[] = [];
  for (const o of outputs) {
    for (const b of bad) {
      if (b.skip) continue;
      cases.push({ args: [...o.cmd, o.flag, b.path], files: { ...o.files, ...(b.files ?? {}) }, prepare: b.prepare, exit: 2, names: [o.flag, b.path], says: b.says });
    }
  }
  await runAll(cases, 100);
  assert.ok(statSync('/dev/null').isCharacterDevice(), '/dev/null is still a device');
});

test('an output that is an input of the same command is refused, however it is spelled', async () => {
  const scen = readFileSync('engine/scenario/builtin/qtest-bootblock.json');
  const cases: BadCase[] = [
    { args: ['export', 'self.migtrace', '--chrome', 'link.json'], files: { 'self.migtrace': good }, prepare: (d) => symlinkSync('self.migtrace', join(d, 'link.json')), exit: 2, names: ['--chrome', 'link.json'], says: /is the input <trace> self\.migtrace/ },
    { args: ['export', 'self.migtrace', '--perfetto', 'hard.pftrace'], files: { 'self.migtrace': good }, prepare: (d) => linkSync(join(d, 'self.migtrace'), join(d, 'hard.pftrace')), exit: 2, names: ['--perfetto', 'hard.pftrace'], says: /is the input <trace>/ },
    { args: ['export', 'a.migtrace.partial', '--chrome', 'a.migtrace'], files: { 'a.migtrace.partial': good }, exit: 2, names: ['--chrome', 'a.migtrace'], says: /would be written through a\.migtrace\.partial, which is the input <trace>/ },
    { args: ['export', 'self.migtrace', '--perfetto', `${'./'}self.migtrace`], files: { 'self.migtrace': good }, exit: 2, names: ['--perfetto'], says: /is the input <trace>/ },
    { args: ['run', 'scen.json', '--out', 'scen.json', '-q'], files: { 'scen.json': scen }, exit: 2, names: ['--out', 'scen.json'], says: /is the input <scenario> scen\.json/ },
    { args: ['run', 'scen.json', '--compare', 'r.migtrace', '--out', './sub/../scen.json', '-q'], files: { 'scen.json': scen, 'r.migtrace': good, sub: null }, exit: 2, names: ['--out'], says: /is the input <scenario> scen\.json/ },
    { args: ['run', 'qtest-bootblock', '--compare', 'r.migtrace', '--out', 'r.compare.json', '-q'], files: { 'r.migtrace': good }, exit: 2, names: ['--out', 'r.compare.json'], says: /is also the side-by-side file of --compare/ },
    { args: ['qemu-run', 'scen.json', '-o', 'scen.json'], files: { 'scen.json': scen }, exit: 2, names: ['-o', 'scen.json'], says: /is the input <scenario>/ },
    { args: ['import-qemu', 'src.log', '-o', 'src.log'], files: { 'src.log': 'x\n' }, exit: 2, names: ['-o', 'src.log'], says: /is the input trace log src\.log/ },
    { args: ['import-qemu', 'src.log', '--qmp', 'p.jsonl', '-o', 'p.jsonl'], files: { 'src.log': 'x\n', 'p.jsonl': '{}\n' }, exit: 2, names: ['-o', 'p.jsonl'], says: /is the input --qmp p\.jsonl/ },
  ];
  await runAll(cases, 200);
});

test('every input path: missing, a directory, under a file, a device, a named pipe: one line naming it', async () => {
  const traceCmds: [string[], string[]][] = [
    [['info'], []],
    [['replay'], []],
    [['export'], ['--chrome', 'o.json']],
    [['run', 'qtest-bootblock', '-q', '--compare'], []],
  ];
  const kinds: { path: string; files?: Record<string, string | null>; prepare?: (d: string) => void; says: RegExp }[] = [
    { path: 'missing.migtrace', says: /missing\.migtrace: no such file; expected a \.migtrace file/ },
    { path: 'd', files: { d: null }, says: /d: is a directory; expected a \.migtrace file/ },
    { path: 'file.txt/x.migtrace', files: { 'file.txt': 'x' }, says: /no such file \(.*file\.txt is a file, not a directory\)/ },
    { path: '/dev/zero', says: /is a character device; expected a \.migtrace file/ },
    { path: 'fifo.migtrace', prepare: (d) => assert.equal(spawnSync('mkfifo', [join(d, 'fifo.migtrace')]).status, 0), says: /is a named pipe; expected a \.migtrace file/ },
  ];
  const cases: BadCase[] = [];
  for (const [cmd, tail] of traceCmds) for (const k of kinds) cases.push({ args: [...cmd, k.path, ...tail], files: k.files, prepare: k.prepare, inputs: [], exit: 2, names: [k.path], says: k.says });
  cases.push(
    { args: ['run', 'missing.json'], exit: 2, names: ['missing.json'], says: /no such file; expected a scenario JSON file or a built-in name/ },
    { args: ['run', 'seed-specjbb-128'], exit: 2, names: ['seed-specjbb-128'], says: /no built-in scenario of that name \(did you mean "seed-specjbb-128g"\?\)/ },
    { args: ['compare', 'qtest-bootblok', '--profiles', 'modern'], exit: 2, names: ['qtest-bootblok'], says: /did you mean "qtest-bootblock"/ },
    { args: ['qemu-run', 'qtest-boot', '-o', 'q.migtrace'], exit: 2, names: ['qtest-boot'], says: /no built-in scenario of that name/ },
    { args: ['run', 'd'], files: { d: null }, exit: 2, names: ['d'], says: /is a directory; expected a scenario JSON file/ },
    { args: ['run', 'file.txt/s.json'], files: { 'file.txt': 'x' }, exit: 2, names: ['file.txt/s.json'], says: /no such file/ },
    { args: ['run', 'broken.json'], files: { 'broken.json': '{\n  "guest": {\n    vcpus: 2\n  }\n}\n' }, exit: 2, names: ['broken.json'], says: /not valid JSON at line 3, column 5/ },
    { args: ['import-qemu', 'nolog.log', '-o', 'x.migtrace'], exit: 2, names: ['nolog.log'], says: /no such file; expected a QEMU trace log/ },
    { args: ['import-qemu', 'src.log', '--qmp', 'nope.jsonl', '-o', 'x.migtrace'], files: { 'src.log': 'x\n' }, exit: 2, names: ['--qmp', 'nope.jsonl'], says: /no such file/ },
    { args: ['import-qemu', 'src.log', '--dst-log', 'd', '-o', 'x.migtrace'], files: { 'src.log': 'x\n', d: null }, exit: 2, names: ['--dst-log', 'd'], says: /is a directory/ },
  );
  await runAll(cases, 300);
});

test('the checks come before the run: a run that would not end for hours fails at once on a bad path', async () => {
  const files = { 'endless.json': endless, 'r.migtrace': good, d: null };
  const cases: BadCase[] = [
    { args: ['run', 'endless.json', '--out', 'nodir/x.migtrace'], files, exit: 2, names: ['nodir/x.migtrace'] },
    { args: ['run', 'endless.json', '--out', '/dev/null'], files, exit: 2, names: ['/dev/null'] },
    { args: ['run', 'endless.json', '--out', 'endless.json'], files, exit: 2, names: ['endless.json'] },
    { args: ['run', 'endless.json', '--compare', 'r.migtrace', '--out', 'r.migtrace'], files, exit: 2, names: ['r.migtrace'] },
    { args: ['run', 'endless.json', '--compare', 'nodir/r.migtrace'], files, exit: 2, names: ['nodir/r.migtrace'] },
    { args: ['run', 'endless.json', '--compare', 'endless.json'], files, exit: 2, names: ['endless.json'], says: /not a migtrace trace/ },
  ];
  await runAll(cases, 400);
});

/** `sh -c script` in a new mount namespace with a small tmpfs at $M; null if that cannot be done here. */
function inMountNamespace(): string[] | null {
  const args = isRoot ? ['-m'] : ['-r', '-m'];
  const probe = spawnSync('unshare', [...args, 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=4k tmpfs "$d" && umount "$d" && rmdir "$d"'], { encoding: 'utf8' });
  return probe.status === 0 ? ['unshare', ...args] : null;
}

test('a full disk (ENOSPC) and a read-only file system (EROFS): one line, no half-written output', async (t) => {
  const ns = inMountNamespace();
  if (ns === null) {
    t.skip('cannot mount a tmpfs in a mount namespace here (no unshare or no permission)');
    return;
  }
  const dir = join(root, 'mounts');
  const trace = join(root, 'good.migtrace');
  // Runs migtrace with a 4 KiB tmpfs at ./m (read-only if asked); prints RC= and what is left in m.
  const script = 'mkdir -p m && mount -t tmpfs -o size=4k tmpfs m && { [ "$RO" != 1 ] || mount -o remount,ro m; } && { "$@" >/dev/null; echo "RC=$?"; ls -A m; }';
  const cases: { args: string[]; ro: boolean; exit: number; says: RegExp; left: string[] }[] = [
    { args: ['run', 'page0-offbyone', '-q', '--out', 'm/x.migtrace'], ro: false, exit: 2, says: /--out m\/x\.migtrace: cannot write m\/x\.migtrace\.partial: no space left on device \(ENOSPC\); the \d+ bytes recorded before it are in m\/x\.migtrace\.partial/, left: ['x.migtrace.partial'] },
    { args: ['export', trace, '--chrome', 'm/x.json'], ro: false, exit: 2, says: /--chrome m\/x\.json: cannot write m\/x\.json\.partial: no space left on device \(ENOSPC\); nothing was left/, left: [] },
    { args: ['run', 'page0-offbyone', '-q', '--out', 'm/x.migtrace'], ro: true, exit: 2, says: /cannot create m\/x\.migtrace\.partial: read-only file system \(EROFS\)/, left: [] },
    { args: ['export', trace, '--perfetto', 'm/x.pftrace'], ro: true, exit: 2, says: /cannot create m\/x\.pftrace\.partial: read-only file system \(EROFS\)/, left: [] },
  ];
  spawnSync('mkdir', ['-p', dir]);
  for (const c of cases) {
    const r: SpawnSyncReturns<string> = spawnSync(ns[0], [...ns.slice(1), 'sh', '-c', script, 'sh', process.execPath, join(process.cwd(), 'bin/migtrace.js'), ...c.args], { cwd: dir, encoding: 'utf8', env: { ...process.env, RO: c.ro ? '1' : '0' } });
    const [rcLine, ...left]: string[] = r.stdout.trim().split('\n');
    const rc = Number(/^RC=(\d+)$/.exec(rcLine)?.[1]);
    const label = `migtrace ${c.args.join(' ')} (${c.ro ? 'read-only' : 'full'} file system)`;
    ROWS.push({ args: label, exit: rc, stderr: r.stderr.trim() });
    checkResult(label, { status: rc, signal: null, stdout: '', stderr: r.stderr }, { exit: c.exit, names: [c.args[c.args.length - 1]], says: c.says });
    assert.deepEqual(left.filter((x) => x !== ''), c.left, `${label}: left ${left.join(', ')}`);
  }
});

/** The command line that runs migtrace as a user whose permissions count (root ignores modes). */
function unprivileged(): string[] | null {
  if (!isRoot) return [process.execPath, join(process.cwd(), 'bin/migtrace.js')];
  const cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(process.cwd(), 'bin/migtrace.js')];
  return spawnSync(cmd[0], [...cmd.slice(1), '--version']).status === 0 ? cmd : null;
}

test('permission denied (EACCES) on an input and in an output directory: one line, nothing left', async (t) => {
  const cmd = unprivileged();
  if (cmd === null) {
    t.skip('running as root and cannot drop to an unprivileged user that can read the bundle (setpriv missing, or the checkout is private)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'migtrace-perm-'));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'good.migtrace'), good);
  chmodSync(join(dir, 'good.migtrace'), 0o644);
  writeFileSync(join(dir, 'secret.migtrace'), good);
  chmodSync(join(dir, 'secret.migtrace'), 0o000);
  mkdirSync(join(dir, 'ro'));
  chmodSync(join(dir, 'ro'), 0o555);
  const cases: { args: string[]; names: string[]; says: RegExp }[] = [
    { args: ['info', 'secret.migtrace'], names: ['secret.migtrace'], says: /<trace> secret\.migtrace: cannot be read: permission denied \(EACCES\)/ },
    { args: ['replay', 'secret.migtrace'], names: ['secret.migtrace'], says: /cannot be read: permission denied \(EACCES\)/ },
    { args: ['run', 'qtest-bootblock', '-q', '--compare', 'secret.migtrace'], names: ['--compare', 'secret.migtrace'], says: /cannot be read: permission denied \(EACCES\)/ },
    { args: ['export', 'good.migtrace', '--chrome', 'ro/x.json'], names: ['--chrome', 'ro/x.json'], says: /cannot create ro\/x\.json\.partial: permission denied \(EACCES\)/ },
    { args: ['run', 'qtest-bootblock', '-q', '--out', 'ro/x.migtrace'], names: ['--out', 'ro/x.migtrace'], says: /cannot create ro\/x\.migtrace\.partial: permission denied \(EACCES\)/ },
    { args: ['run', 'endless.json', '-q', '--out', 'ro/x.migtrace'], names: ['--out'], says: /permission denied \(EACCES\)/ },
  ];
  writeFileSync(join(dir, 'endless.json'), endless);
  chmodSync(join(dir, 'endless.json'), 0o644);
  try {
    for (const c of cases) {
      const r = await cli(c.args, dir, 60_000, cmd);
      const label = `migtrace ${c.args.join(' ')} (as ${isRoot ? 'nobody' : 'this user'})`;
      ROWS.push({ args: label, exit: r.status, stderr: r.stderr.trim() });
      checkResult(label, r, { exit: 2, names: c.names, says: c.says });
      assert.deepEqual(readdirSync(join(dir, 'ro')), [], `${label}: left a file in ro/`);
    }
  } finally {
    chmodAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});
