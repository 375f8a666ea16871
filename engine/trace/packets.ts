// Framing: a TracePacket's bytes, then its CRC-32 as field 15, the whole framed as Trace.packet
// (0x0A, varint length). Structured packets are encoded with the generated code.

import { migtrace } from './gen/migtrace';
import { ByteWriter, varintSize } from './bytes';
import { crc32 } from './crc32';
import { CRC_TAG, PACKET_TAG } from './format';
import { mix1 } from '../sim/hash';

export type PacketProps = migtrace.trace.TracePacket.$Properties;

/** Appends one framed packet whose content (without CRC) is `body[start, end)` to `out`; returns its CRC. */
export function framePacket(out: ByteWriter, body: Uint8Array, start = 0, end = body.length): number {
  const len = end - start + 5;
  const crc = crc32(body, start, end);
  out.byte(PACKET_TAG);
  out.varint(len);
  out.bytes(body, start, end);
  out.byte(CRC_TAG);
  out.fixed32(crc);
  return crc;
}

/** Encodes a structured packet (header, descriptor, model event, ...) as framed bytes, and its CRC. */
export function encodePacket(p: PacketProps): { bytes: Uint8Array; crc: number } {
  const enc = migtrace.trace.TracePacket.encode(p).finish();
  // protobufjs hands back a Node Buffer under Node: view it as a plain Uint8Array, so that the
  // checksum loop sees one array type and stays fast.
  const body = new Uint8Array(enc.buffer, enc.byteOffset, enc.length);
  const out = new ByteWriter(body.length + 6 + varintSize(body.length + 5));
  const crc = framePacket(out, body);
  return { bytes: out.view(), crc };
}

/**
 * The running hash of a trace, carried by checkpoints and the footer: every packet's CRC and
 * framed length, chained in file order, so a missing, repeated or moved packet breaks the chain.
 */
export function chainHash(prev: number, crc: number, len: number): number {
  return mix1(mix1(prev, crc), len);
}

/** Where the chain starts ("MIGT"). */
export const CHAIN_START = 0x4d494754;

export const TracePacket = migtrace.trace.TracePacket;
export const Trace = migtrace.trace.Trace;
