// The standalone debug adapter (dist/debugAdapter.js): the same session as the inline one in the
// extension host, over stdio (nvim-dap, Emacs dap-mode, Theia, VS Code's `debugServer`-less
// executable mode) or, with --port N, over TCP, one session per connection. `migtrace dap`
// loads this bundle and calls `serve`: engine/ never imports DAP code, so the CLI finds the
// adapter next to itself at run time instead of bundling it.

import { createServer, type Server } from 'node:net';
import { constants, setPriority } from 'node:os';
import { MigtraceSession } from './session';
import { nodeClock, nodeFiles } from './nodeHost';

export interface ServeOptions {
  /** TCP port to listen on (0: any free port); stdio when absent */
  port?: number;
  host?: string;
  /** told the port once listening (TCP) */
  onListening?: (port: number) => void;
}

function newSession(): MigtraceSession {
  return new MigtraceSession({ fs: nodeFiles, clock: nodeClock });
}

export function serve(o: ServeOptions = {}): Server | null {
  if (o.port === undefined) {
    const s = newSession();
    s.start(process.stdin, process.stdout);
    return null;
  }
  const server = createServer((socket) => {
    const s = newSession();
    s.setRunAsServer(true);
    s.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  server.listen(o.port, o.host ?? '127.0.0.1', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : o.port!;
    if (o.onListening) o.onListening(port);
    else process.stderr.write(`migtrace dap: listening on ${o.host ?? '127.0.0.1'}:${port}\n`);
  });
  return server;
}

/** `node dist/debugAdapter.js [--port N]` */
function cliPort(argv: string[]): number | undefined {
  const i = argv.findIndex((a) => a === '--port' || a.startsWith('--port=') || a.startsWith('--server='));
  if (i < 0) return undefined;
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`migtrace dap: --port needs a port number 0..65535, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

declare const require: { main?: unknown } | undefined;
declare const module: unknown;
/** Started by the extension (MIGTRACE_BELOW_NORMAL=1): a simulation should not take the cores from
 *  the editor the user is typing in, so the adapter runs below normal priority. */
function lowerPriority(): void {
  if (process.env.MIGTRACE_BELOW_NORMAL !== '1') return;
  try {
    setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    /* not permitted here: run at normal priority */
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  lowerPriority();
  serve({ port: cliPort(process.argv.slice(2)) });
}

export { MigtraceSession };
