// The end-to-end suite against a desktop VS Code, through @vscode/test-electron, when
// VSCODE_EXECUTABLE names one (its `code` binary). test-electron downloads VS Code builds from
// Microsoft's servers, which machines that reach only npm and Debian cannot; so here it is given
// the executable and never downloads. The packaged .vsix is installed into a fresh extensions
// folder with that VS Code's own CLI, then electronHost.ts runs inside its extension host.
// Without VSCODE_EXECUTABLE it is skipped, and says so; the code-server suite (vscode.test.ts)
// is the one that runs everywhere.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { packageVsix, ROOT } from './codeServer';

const EXE = process.env.VSCODE_EXECUTABLE;
const SKIP = EXE ? false : 'VSCODE_EXECUTABLE is not set (give the path of a desktop VS Code to run the suite in it through @vscode/test-electron)';
if (SKIP) console.error(`e2e, desktop VS Code: skipped: ${SKIP}`);

interface TestElectron {
  resolveCliArgsFromVSCodeExecutablePath(exe: string): string[];
  runTests(o: { vscodeExecutablePath: string; extensionDevelopmentPath: string; extensionTestsPath: string; launchArgs: string[] }): Promise<number>;
}

describe('migtrace in a desktop VS Code (@vscode/test-electron)', { skip: SKIP, timeout: 20 * 60_000 }, () => {
  it('the .vsix installs with the VS Code CLI; in its extension host a session stops on the multifd sync hang, steps back, records, and the recording opens in the timeline', async () => {
    const te = createRequire(join(ROOT, 'package.json'))('@vscode/test-electron') as TestElectron;
    const run = join(ROOT, '.tmp', 'e2e-electron');
    rmSync(run, { recursive: true, force: true });
    const dirs = { ext: join(run, 'extensions'), data: join(run, 'user-data'), ws: join(run, 'workspace') };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const vsix = packageVsix(join(run, `migtrace-${version}.vsix`));
    const [cli, ...cliArgs] = te.resolveCliArgsFromVSCodeExecutablePath(EXE!);
    const inst = spawnSync(cli, [...cliArgs, '--extensions-dir', dirs.ext, '--user-data-dir', dirs.data, '--install-extension', vsix], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(inst.status, 0, `${cli} --install-extension: ${inst.stdout}${inst.stderr}`);
    const installed = readdirSync(dirs.ext).find((n) => n.startsWith('migtrace.migtrace-'));
    assert.ok(installed, `the .vsix did not install into ${dirs.ext}`);
    const host = join(run, 'electronHost.cjs');
    await build({ entryPoints: [join(ROOT, 'test', 'e2e', 'electronHost.ts')], outfile: host, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
    const code = await te.runTests({
      vscodeExecutablePath: EXE!,
      // the installed .vsix's folder: what a user gets, not the working tree
      extensionDevelopmentPath: join(dirs.ext, installed),
      extensionTestsPath: host,
      launchArgs: [dirs.ws, '--extensions-dir', dirs.ext, '--user-data-dir', dirs.data, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
    assert.equal(code, 0);
  });
});
