// A small DAP client over a real stream (the Debug Adapter Protocol's Content-Length framing):
// the tests drive the adapter as an editor would, in memory (the session over two streams, no
// process) or over the real adapter process's stdio or a TCP socket.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MigtraceSession } from '../../extension/debug/session';
import { nodeClock, nodeFiles } from '../../extension/debug/nodeHost';

export type Message = DebugProtocol.ProtocolMessage & Record<string, any>;

export class DapClient {
  private seq = 1;
  private buf = Buffer.alloc(0);
  private pending = new Map<number, (r: DebugProtocol.Response) => void>();
  /** every event received, in order; `take` removes what a test consumed */
  readonly events: DebugProtocol.Event[] = [];
  private waiters: { name: string; pred: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void }[] = [];
  closed = false;
  proc: ChildProcess | null = null;
  socket: Socket | null = null;
  stderr = '';

  constructor(input: Readable, private readonly output: Writable, readonly timeout_ms = 60_000) {
    input.on('data', (d: Buffer) => this.onData(d));
    input.on('close', () => (this.closed = true));
    input.on('end', () => (this.closed = true));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const head = this.buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString('ascii'));
      if (m === null) throw new Error(`bad DAP header: ${this.buf.subarray(0, head).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < head + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString('utf8')) as Message;
      this.buf = this.buf.subarray(head + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    if (msg.type === 'response') {
      const r = msg as DebugProtocol.Response;
      const f = this.pending.get(r.request_seq);
      this.pending.delete(r.request_seq);
      f?.(r);
    } else if (msg.type === 'event') {
      const e = msg as DebugProtocol.Event;
      const i = this.waiters.findIndex((w) => w.name === e.event && w.pred(e));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve(e);
      } else this.events.push(e);
    }
  }

  /** Sends a request; resolves with its response (success or not). */
  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    // Registered before the write: an in-memory adapter may answer within the write itself.
    const p = new Promise<DebugProtocol.Response>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${command} within ${this.timeout_ms} ms${this.stderr ? `; adapter stderr: ${this.stderr}` : ''}`)), this.timeout_ms);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.output.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
    return p;
  }

  /** Sends a request that must succeed; returns its body. */
  async ok(command: string, args?: unknown): Promise<any> {
    const r = await this.request(command, args);
    if (!r.success) throw new Error(`${command} failed: ${r.message} ${JSON.stringify(r.body ?? {})}`);
    return r.body;
  }

  /** The next event `name` (already received or still to come) that `pred` accepts. */
  waitEvent(name: string, pred: (e: DebugProtocol.Event) => boolean = () => true): Promise<DebugProtocol.Event> {
    const i = this.events.findIndex((e) => e.event === name && pred(e));
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event within ${this.timeout_ms} ms`)), this.timeout_ms);
      this.waiters.push({ name, pred, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  }

  /** Removes and returns every received event named `name`. */
  drain(name: string): DebugProtocol.Event[] {
    const out = this.events.filter((e) => e.event === name);
    for (const e of out) this.events.splice(this.events.indexOf(e), 1);
    return out;
  }

  async close(): Promise<void> {
    this.output.end();
    this.socket?.destroy();
    if (this.proc !== null && this.proc.exitCode === null) {
      const p = this.proc;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { p.kill('SIGKILL'); resolve(); }, 5000);
        p.on('exit', () => { clearTimeout(t); resolve(); });
        p.kill('SIGTERM');
      });
    }
  }
}

/** The session in this process over two in-memory streams. */
export function inMemoryClient(): DapClient {
  const toAdapter = new PassThrough();
  const fromAdapter = new PassThrough();
  const session = new MigtraceSession({ fs: nodeFiles, clock: nodeClock });
  // As a server, the session never ends the process when its client goes away.
  session.setRunAsServer(true);
  session.start(toAdapter, fromAdapter);
  return new DapClient(fromAdapter, toAdapter);
}

/** The real adapter process over stdio: `node <args>` (dist/debugAdapter.js, or bin/migtrace.js dap). */
export function processClient(args: string[]): DapClient {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const c = new DapClient(proc.stdout!, proc.stdin!);
  c.proc = proc;
  proc.stderr!.on('data', (d: Buffer) => (c.stderr += d.toString()));
  return c;
}

/** A TCP connection to an adapter serving on `port`. */
export function tcpClient(port: number): Promise<DapClient> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      const c = new DapClient(s, s);
      c.socket = s;
      resolve(c);
    });
    s.on('error', reject);
  });
}

/** initialize + launch + configurationDone, as VS Code does it; resolves with the launch response. */
export async function startSession(c: DapClient, launch: Record<string, unknown>, before?: () => Promise<void>): Promise<DebugProtocol.Response> {
  await c.ok('initialize', { adapterID: 'migtrace', clientID: 'test', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsInvalidatedEvent: true, supportsProgressReporting: true });
  const launched = c.request('launch', { type: 'migtrace', request: 'launch', name: 'test', ...launch });
  const first = await Promise.race([launched.then(() => 'launch'), c.waitEvent('initialized').then(() => 'initialized')]);
  if (first === 'launch') return launched;
  if (before) await before();
  await c.ok('configurationDone');
  return launched;
}
