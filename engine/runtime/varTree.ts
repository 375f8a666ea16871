// Variables as a tree whose children are computed when opened: what the Variables view shows.
// References are handed out per stop and forgotten at the next one (DAP's variablesReference).

import { ChunkedArray } from '../sim/chunkedArray';

export interface VarNode {
  name: string;
  value: string;
  children?: () => VarNode[];
  /** computed only when the user asks (a state hash of a 1 TiB guest) */
  lazy?: boolean;
  /** a data breakpoint can watch it under this id */
  dataId?: string;
}

export class VarStore {
  private refs: (() => VarNode[])[] = [];

  reset(): void {
    this.refs = [];
  }

  /** A reference (> 0) to `children`, valid until the next reset. */
  add(children: () => VarNode[]): number {
    this.refs.push(children);
    return this.refs.length;
  }

  get(ref: number): VarNode[] | null {
    const f = this.refs[ref - 1];
    return f === undefined ? null : f();
  }
}

const MAX_ITEMS = 200;

/** Plain simulation data (a frame's locals) as a tree. */
export function plainNode(name: string, v: unknown): VarNode {
  if (v === null || v === undefined) return { name, value: String(v) };
  if (typeof v !== 'object') return { name, value: typeof v === 'string' ? JSON.stringify(v) : String(v) };
  if (v instanceof ChunkedArray) return { name, value: `${v.kind}[${v.length}] in ${v.chunkCount} chunks` };
  if (ArrayBuffer.isView(v)) {
    const a = v as unknown as ArrayLike<number>;
    return { name, value: `${v.constructor.name}(${a.length})`, children: () => Array.from({ length: Math.min(a.length, MAX_ITEMS) }, (_, i) => ({ name: String(i), value: String(a[i]) })) };
  }
  if (Array.isArray(v)) {
    return { name, value: `Array(${v.length})`, children: v.length === 0 ? undefined : () => v.slice(0, MAX_ITEMS).map((x, i) => plainNode(String(i), x)) };
  }
  const keys = Object.keys(v as object);
  const preview = keys.slice(0, 4).map((key) => {
    const x = (v as Record<string, unknown>)[key];
    return `${key}: ${x !== null && typeof x === 'object' ? '…' : JSON.stringify(x)}`;
  }).join(', ');
  return { name, value: `{${preview}${keys.length > 4 ? ', …' : ''}}`, children: keys.length === 0 ? undefined : () => keys.map((key) => plainNode(key, (v as Record<string, unknown>)[key])) };
}
