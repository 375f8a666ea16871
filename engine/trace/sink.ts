// Where a recorder's bytes go: a file (the CLI's FileSink), memory (tests, replay), or a
// comparison against an existing trace (replay verification). Each write is a whole packet or
// more, so a sink that writes through leaves a readable prefix at any moment.

export interface TraceSink {
  write(bytes: Uint8Array): void;
  /** after the footer: the trace is whole */
  close(): void;
}

export class MemorySink implements TraceSink {
  private chunks: Uint8Array[] = [];
  private size = 0;
  closed = false;

  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
  }

  close(): void {
    this.closed = true;
  }

  get length(): number {
    return this.size;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [out];
    return out;
  }
}
