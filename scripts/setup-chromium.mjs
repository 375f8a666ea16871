// Installs what the webview tests and the timeline benchmark need, from Debian's packages:
// chromium (driven headless by playwright-core) and fonts-dejavu-core (so text has a font to
// measure with). Idempotent: does nothing when /usr/bin/chromium runs. Run by test/webview and
// test/bench/timeline.bench.ts themselves; `node scripts/setup-chromium.mjs` by hand. Exits 1 with
// the reason when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.MIGTRACE_CHROMIUM ?? '/usr/bin/chromium';
const PKGS = ['chromium', 'fonts-dejavu-core'];

const works = () => spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
const fonts = () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

export function setupChromium({ quiet = false } = {}) {
  if (works() && fonts()) {
    if (!quiet) console.error(`setup-chromium: ${CHROMIUM} is installed`);
    return true;
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : null;
  if (sudo === null) {
    console.error(`setup-chromium: ${CHROMIUM} is missing, and installing ${PKGS.join(' ')} needs root (or password-less sudo): run \`apt-get install -y ${PKGS.join(' ')}\` as root`);
    return false;
  }
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  console.error(`setup-chromium: installing ${PKGS.join(' ')} from Debian's packages`);
  const install = ['install', '-y', '--no-install-recommends', ...PKGS];
  if (!apt(install) && !(apt(['update']) && apt(install))) {
    console.error(`setup-chromium: apt-get install ${PKGS.join(' ')} failed (see above)`);
    return false;
  }
  if (!works()) {
    console.error(`setup-chromium: installed ${PKGS.join(' ')}, but ${CHROMIUM} --version still fails`);
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(setupChromium() ? 0 : 1);
