// A QMP client (QEMU Machine Protocol) over a unix socket: greeting, qmp_capabilities, commands
// with replies matched by id, asynchronous events kept with their arrival time. Every wait has a
// bound: a QEMU that stops answering is an error, not a hang.

import net from 'node:net';

export class QmpError extends Error {
  constructor(message: string, readonly qmpClass?: string) {
    super(message);
    this.name = 'QmpError';
  }
}

export interface QmpEvent {
  event: string;
  data?: unknown;
  /** wall time (ms, the caller's clock) when it arrived */
  at_ms: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  command: string;
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buf = '';
  private closed = false;

  private constructor(private readonly sock: net.Socket, private readonly clock: () => number) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => this.fail(new QmpError('QMP connection closed')));
    sock.on('error', (e) => this.fail(new QmpError(`QMP connection error: ${e.message}`)));
  }

  /** Connects to `path`, retrying until `timeout_ms` (QEMU may not have created the socket yet). */
  static async connect(path: string, timeout_ms: number, clock: () => number): Promise<QmpClient> {
    const deadline = clock() + timeout_ms;
    let last = '';
    while (clock() < deadline) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const c = new QmpClient(sock, clock);
        await c.greeting(Math.max(1000, deadline - clock()));
        await c.execute('qmp_capabilities', undefined, 5000);
        return c;
      } catch (e) {
        last = (e as Error).message;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new QmpError(`no QMP server at ${path} after ${timeout_ms} ms (${last})`);
  }

  private greetingWaiter: ((ok: boolean) => void) | null = null;

  private greeting(timeout_ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new QmpError('no QMP greeting')), timeout_ms);
      this.greetingWaiter = (ok) => {
        clearTimeout(t);
        if (ok) resolve();
        else reject(new QmpError('QMP connection closed before the greeting'));
      };
    });
  }

  private onData(d: string): void {
    this.buf += d;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).trim();
      this.buf = this.buf.slice(i + 1);
      if (line === '') continue;
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if ('QMP' in m) {
        this.greetingWaiter?.(true);
        this.greetingWaiter = null;
      } else if ('event' in m) {
        this.events.push({ event: String(m.event), data: m.data, at_ms: this.clock() });
      } else if ('id' in m) {
        const p = this.pending.get(Number(m.id));
        if (p === undefined) continue;
        this.pending.delete(Number(m.id));
        clearTimeout(p.timer);
        if ('error' in m) {
          const e = m.error as { class?: string; desc?: string };
          p.reject(new QmpError(`${p.command}: ${e.desc ?? 'error'}`, e.class));
        } else {
          p.resolve(m.return);
        }
      }
    }
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.greetingWaiter?.(false);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeout_ms = 10_000): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError(`${command}: QMP connection closed`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError(`${command}: no answer in ${timeout_ms} ms`));
      }, timeout_ms);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, command });
      this.sock.write(`${JSON.stringify(args === undefined ? { execute: command, id } : { execute: command, arguments: args, id })}\n`);
    });
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }
}
