// The bundled `migtrace` command (dist/cli.js) run in a child process, so that a simulation never
// runs on the extension host's thread: VS Code's own Node runs it (process.execPath, which on the
// desktop is Electron, hence ELECTRON_RUN_AS_NODE), its output goes to the migtrace channel, its
// progress lines (stderr) to a notification with Cancel, which ends the process.

import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  /** the exit code (engine/cli: 0 completed, 2 bad input, 3 hang, 4 data lost, 5 not converged, 6 diverged); null when cancelled */
  code: number | null;
  stdout: string;
  /** the last line the command wrote on stderr (its error message, when it failed) */
  lastErr: string;
}

export interface CliRunOptions {
  title: string;
  channel: vscode.OutputChannel;
  cwd?: string;
}

/** Runs `migtrace <args>` with progress and Cancel; the output is appended to the channel. */
export function runCli(extensionPath: string, args: string[], o: CliRunOptions): Thenable<CliResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: o.title, cancellable: true }, (progress, token) => {
    return new Promise<CliResult>((resolve) => {
      o.channel.appendLine(`$ migtrace ${args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
      const child = spawn(process.execPath, [join(extensionPath, 'dist', 'cli.js'), ...args], {
        cwd: o.cwd,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let lastErr = '';
      let errTail = '';
      let cancelled = false;
      child.stdout.setEncoding('utf8').on('data', (t: string) => {
        stdout += t;
        o.channel.append(t);
      });
      child.stderr.setEncoding('utf8').on('data', (t: string) => {
        const lines = (errTail + t).split('\n');
        errTail = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          lastErr = line;
          o.channel.appendLine(line);
          progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}...` : line });
        }
      });
      const sub = token.onCancellationRequested(() => {
        cancelled = true;
        child.kill('SIGTERM');
      });
      child.on('error', (e) => {
        sub.dispose();
        o.channel.appendLine(`migtrace: could not start ${process.execPath}: ${e.message}`);
        resolve({ code: 1, stdout, lastErr: e.message });
      });
      child.on('close', (code) => {
        sub.dispose();
        if (errTail.trim() !== '') {
          lastErr = errTail;
          o.channel.appendLine(errTail);
        }
        if (cancelled) o.channel.appendLine('migtrace: cancelled');
        resolve({ code: cancelled ? null : code, stdout, lastErr });
      });
    });
  });
}
