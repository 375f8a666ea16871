// A real VS Code for the end-to-end suite: code-server (installed by scripts/setup-code-server.mjs
// into .tmp/e2e), with the packaged .vsix installed by its own --install-extension into a fresh
// extensions folder, started on a free port in its own process group with HOME and TMPDIR in a
// scratch folder (4.139.1 also starts an agent host and a Copilot runtime: ending the group ends
// them all, and nothing is left in the real home or /tmp).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The project's folder: the tests run from it (scripts/run-tests.mjs). */
export const ROOT = process.cwd();

export interface Install {
  node: string;
  entry: string;
  dir: string;
}

/** Runs the project's setup script (idempotent: a cached install answers at once). Returns the
 *  install, or why this machine cannot have one (the script's exit 3: no apt-get, no root or
 *  sudo for it); throws when an install that could happen failed. */
export function setupCodeServer(): Install | { cannot: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'setup-code-server.mjs')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'], timeout: 40 * 60_000 });
  process.stderr.write(r.stderr ?? '');
  if (r.status === 3) return { cannot: (r.stderr ?? '').trim().split('\n').at(-1)!.replace(/^setup-code-server: /, '') };
  if (r.status !== 0) throw new Error(`scripts/setup-code-server.mjs could not install code-server (exit ${r.status ?? r.signal}): ${r.stderr}`);
  const dir = resolve(process.env.MIGTRACE_E2E_DIR ?? join(ROOT, '.tmp', 'e2e'));
  return { dir, node: join(dir, 'node24', 'bin', 'node'), entry: join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js') };
}

/** Builds the .vsix with the project's own `npm run package` script; returns its path. */
export function packageVsix(out: string): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package-vsix.mjs'), '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** User settings of the test's VS Code: no welcome page, no chat panel, no tips or updates. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'editor.minimap.enabled': false,
  'git.enabled': false,
  'debug.openDebug': 'openOnDebugBreak',
  'debug.toolBarLocation': 'docked',
  // the schema step types into a scenario file and reverts it: nothing may save it meanwhile
  'files.autoSave': 'off',
};

export class CodeServer {
  private child: ChildProcess | null = null;
  private output = '';
  url = '';

  private constructor(
    readonly install: Install,
    /** scratch root: home, tmp, user data, extensions, the workspace */
    readonly scratch: string,
    readonly workspace: string,
  ) {}

  get home(): string {
    return join(this.scratch, 'home');
  }
  get tmp(): string {
    return join(this.scratch, 'tmp');
  }
  get userData(): string {
    return join(this.scratch, 'user-data');
  }
  get extensions(): string {
    return join(this.scratch, 'extensions');
  }
  private env(): NodeJS.ProcessEnv {
    return { ...process.env, HOME: this.home, TMPDIR: this.tmp, XDG_CONFIG_HOME: join(this.home, '.config'), XDG_DATA_HOME: join(this.home, '.local', 'share') };
  }

  /** A fresh code-server (nothing installed yet) over `workspace`, its state under `scratch`. */
  static create(install: Install, scratch: string, workspace: string): CodeServer {
    rmSync(scratch, { recursive: true, force: true });
    const c = new CodeServer(install, scratch, workspace);
    for (const d of [c.home, c.tmp, c.userData, c.extensions, workspace]) mkdirSync(d, { recursive: true });
    mkdirSync(join(c.userData, 'User'), { recursive: true });
    writeFileSync(join(c.userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    return c;
  }

  /** `code-server --install-extension x.vsix`, as a user installs a downloaded .vsix. */
  installExtension(vsix: string): string {
    const r = spawnSync(this.install.node, [this.install.entry, '--user-data-dir', this.userData, '--extensions-dir', this.extensions, '--install-extension', vsix], { env: this.env(), encoding: 'utf8', timeout: 120_000 });
    const said = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${said}`);
    return said;
  }

  installedExtensions(): string[] {
    return readdirSync(this.extensions).filter((n) => statSync(join(this.extensions, n)).isDirectory());
  }

  async start(): Promise<string> {
    const port = await freePort();
    const config = join(this.scratch, 'config.yaml');
    writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const args = [this.install.entry, '--config', config, '--user-data-dir', this.userData, '--extensions-dir', this.extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', this.workspace];
    const child = spawn(this.install.node, args, { env: this.env(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const listening = new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`code-server did not say "HTTP server listening" within 120 s:\n${this.output}`)), 120_000);
      const onData = (b: Buffer) => {
        this.output += b.toString();
        const m = /HTTP server listening on (http:\/\/\S+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          res(m[1].replace(/\/$/, ''));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`code-server exited (${code}) before listening:\n${this.output}`));
      });
    });
    this.url = await listening;
    return this.url;
  }

  /** The extension host's log (activation lines, errors of extensions). */
  extensionHostLog(): string {
    const logs = join(this.userData, 'logs');
    if (!existsSync(logs)) return '';
    let text = '';
    for (const session of readdirSync(logs)) {
      const dir = join(logs, session);
      for (const host of existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('exthost')) : []) {
        const f = join(dir, host, 'remoteexthost.log');
        if (existsSync(f)) text += readFileSync(f, 'utf8');
      }
    }
    return text;
  }

  serverOutput(): string {
    return this.output;
  }

  /** Ends code-server and everything it started (its process group). */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (c === null || c.pid === undefined || c.exitCode !== null) return;
    const exited = new Promise<void>((res) => c.once('exit', () => res()));
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
    // The group may outlive its leader for a moment (the agent host): make sure it is gone.
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
