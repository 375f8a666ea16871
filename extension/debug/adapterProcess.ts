// The migtrace debug adapter runs in its own process, never on the extension host's thread: a
// simulation step loop, a checkpoint restore or a replay to a time can take seconds, and the host
// must keep answering the editor meanwhile. VS Code's own Node runs the bundled adapter
// (dist/debugAdapter.js, the same bundle as `migtrace dap`): process.execPath is Node in
// code-server and Electron on the desktop, hence ELECTRON_RUN_AS_NODE. Long movements report DAP
// progress with Cancel (extension/debug/session.ts). Relative paths in a launch configuration
// resolve against the session's workspace folder, the adapter's working directory. It runs below
// normal priority (MIGTRACE_BELOW_NORMAL), so that a long simulation leaves the editor its cores.

import * as vscode from 'vscode';
import { join } from 'node:path';

export function adapterExecutable(extensionPath: string, session: vscode.DebugSession): vscode.DebugAdapterExecutable {
  return new vscode.DebugAdapterExecutable(process.execPath, [join(extensionPath, 'dist', 'debugAdapter.js')], {
    env: { ELECTRON_RUN_AS_NODE: '1', MIGTRACE_BELOW_NORMAL: '1' },
    cwd: session.workspaceFolder?.uri.fsPath,
  });
}
