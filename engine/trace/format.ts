// Constants of the .migtrace format (proto/migtrace.proto is its specification).

/** "\x89MIGTRC\n": the high byte catches 7-bit transfers, the newline catches line-ending conversion. */
export const MAGIC = new Uint8Array([0x89, 0x4d, 0x49, 0x47, 0x54, 0x52, 0x43, 0x0a]);

/** Major format version written by this engine; a reader refuses newer ones. */
export const FORMAT_VERSION = 1;

/** Tag byte of Trace.packet (field 1, length-delimited): Perfetto's framing. */
export const PACKET_TAG = 0x0a;

/** Tag byte of TracePacket.crc32 (field 15, fixed32): the last 5 bytes of every packet. */
export const CRC_TAG = 0x7d;

/** A packet this large is not one this engine writes: treat the length as damage. */
export const MAX_PACKET_BYTES = 64 * 1024 * 1024;

/** Events per EventBatch packet. */
export const BATCH_EVENTS = 4096;

/** EventKind of proto/migtrace.proto. */
export const EK = {
  THREAD_CREATE: 1,
  THREAD_STATE: 2,
  FRAME_PUSH: 3,
  FRAME_POP: 4,
  LOCK_CONTEND: 5,
  LOCK_ACQUIRE: 6,
  LOCK_RELEASE: 7,
  COND_SIGNAL: 8,
  SEM_POST: 9,
  DECISION: 10,
  OBJECT_CREATE: 11,
  MODEL: 12,
  HANG: 13,
  FINISHED: 14,
  QEMU_TRACE: 15,
} as const;
export const EVENT_KIND_MAX = 15;

export const EVENT_KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(EK).map(([k, v]) => [v, k]));

export class TraceError extends Error {
  constructor(message: string, readonly offset = -1) {
    super(message);
    this.name = 'TraceError';
  }
}
