// `migtrace dap [--port N]`: the standalone debug adapter, over stdio or TCP. The adapter is the
// bundle dist/debugAdapter.js (extension/debug), which the CLI bundle finds beside itself and
// loads at run time: engine/ never imports DAP code (DESIGN.md's dependency rule), the adapter
// runs in this process with this process's stdio (no second process to keep alive or to kill),
// and every DAP client (nvim-dap, Emacs dap-mode, Theia, VS Code) gets the very same file.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec, ParsedArgs } from './args';
import type { CliIO } from './io';

export const DAP_SPEC: CommandSpec = {
  name: 'dap',
  summary: 'Run the debug adapter (Debug Adapter Protocol) over stdio, or over TCP with --port, for nvim-dap, Emacs dap-mode, Theia.',
  positionals: [],
  flags: [
    { name: 'port', kind: 'int', value: 'N', min: 0, max: 65535, help: 'listen on TCP port N of 127.0.0.1 (0: any free port, printed on stderr) instead of stdio; one session per connection' },
  ],
};

interface AdapterModule {
  serve(o: { port?: number }): unknown;
}

/** The adapter bundle beside the CLI bundle (dist/), or where `npm run build` puts it. */
export function adapterBundlePath(): string {
  const here = typeof __dirname === 'string' ? __dirname : '.';
  const beside = join(here, 'debugAdapter.js');
  return existsSync(beside) ? beside : join(here, '..', '..', 'dist', 'debugAdapter.js');
}

export function dapCommand(a: ParsedArgs, io: CliIO): Promise<number> | number {
  const port = a.flags.port as number | undefined;
  if (port !== undefined && (port < 0 || port > 65535)) {
    io.err(`migtrace dap: --port needs a port number 0..65535, got ${port}`);
    return 2;
  }
  const path = adapterBundlePath();
  if (!existsSync(path)) {
    io.err(`migtrace dap: the adapter bundle ${path} is missing; run \`npm run build\` first`);
    return 2;
  }
  // A run-time require of the bundle, not an import: see the head of this file.
  const load = require as (id: string) => unknown;
  (load(path) as AdapterModule).serve({ port });
  // The adapter serves until its client goes away; the process ends when nothing is left to do.
  return new Promise<number>(() => undefined);
}
