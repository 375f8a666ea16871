// Growable typed columns for builders that do not know their length up front: push, then take the
// exact-length array.

type TypedCtor<T> = { new (n: number): T };

class Growable<T extends Float64Array | Uint32Array | Uint8Array> {
  a: T;
  n = 0;

  constructor(private readonly C: TypedCtor<T>, capacity = 1024) {
    this.a = new C(Math.max(16, capacity));
  }

  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new this.C(this.a.length * 2);
      b.set(this.a as never);
      this.a = b;
    }
    this.a[this.n++] = v;
  }

  /** The pushed values, in an array of exactly their length. */
  take(): T {
    return this.a.slice(0, this.n) as T;
  }
}

export class F64 extends Growable<Float64Array> {
  constructor(capacity?: number) {
    super(Float64Array, capacity);
  }
}

export class U32 extends Growable<Uint32Array> {
  constructor(capacity?: number) {
    super(Uint32Array, capacity);
  }
}
