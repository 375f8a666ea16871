// Installs what real-QEMU runs need, from Debian's packages: qemu-system-x86 (QEMU 7.2, TCG) and
// binutils (as, ld: the migration-test guest is assembled from engine/qemu/guest at first use).
// Idempotent: does nothing when both are there. Run by the tests and `npm run validate` that
// need them; `node scripts/setup-qemu.mjs` by hand. Exits 1 with the reason when it cannot.
import { spawnSync } from 'node:child_process';

const NEEDS = [
  { bin: process.env.MIGTRACE_QEMU ?? 'qemu-system-x86_64', args: ['--version'], pkg: 'qemu-system-x86' },
  { bin: 'as', args: ['--version'], pkg: 'binutils' },
  { bin: 'ld', args: ['--version'], pkg: 'binutils' },
];

const has = (n) => spawnSync(n.bin, n.args, { stdio: 'ignore' }).status === 0;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

export function setupQemu({ quiet = false } = {}) {
  const missing = NEEDS.filter((n) => !has(n));
  if (missing.length === 0) {
    if (!quiet) console.error('setup-qemu: qemu-system-x86_64, as and ld are installed');
    return true;
  }
  const pkgs = [...new Set(missing.map((n) => n.pkg))];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : null;
  if (sudo === null) {
    console.error(`setup-qemu: ${missing.map((n) => n.bin).join(', ')} missing, and installing ${pkgs.join(' ')} needs root (or password-less sudo): run \`apt-get install -y ${pkgs.join(' ')}\` as root`);
    return false;
  }
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  console.error(`setup-qemu: installing ${pkgs.join(' ')} from Debian's packages`);
  const install = ['install', '-y', '--no-install-recommends', ...pkgs];
  if (!apt(install) && !(apt(['update']) && apt(install))) {
    console.error(`setup-qemu: apt-get install ${pkgs.join(' ')} failed (see above)`);
    return false;
  }
  const still = NEEDS.filter((n) => !has(n));
  if (still.length > 0) {
    console.error(`setup-qemu: installed ${pkgs.join(' ')}, but ${still.map((n) => n.bin).join(', ')} still cannot be run`);
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(setupQemu() ? 0 : 1);
