import { ScanFormatError } from '../scan-error.js';
import type { ByteSource } from './byte-source.js';

export interface ProtoField {
  field: number;
  wire: number;
  /** Start of a length-delimited payload, or of the value for other wire types. */
  start: number;
  /** Payload length for wire type 2; 0 otherwise. */
  length: number;
  varint: number;
}

/**
 * Iterates the fields of a protobuf message lying in [start, end) of a source without
 * loading it: callers descend into the sub-messages they care about and skip the rest
 * (tensor payloads), so a multi-GB ONNX or SavedModel file costs only its structure.
 */
export function* protoFields(src: ByteSource, start: number, end: number): Generator<ProtoField> {
  let pos = start;
  let buf: Uint8Array = new Uint8Array(0);
  let bufStart = 0;
  const byteAt = (p: number): number => {
    if (p >= end) throw new ScanFormatError(`protobuf message truncated at offset ${p}`);
    if (p < bufStart || p >= bufStart + buf.length) {
      buf = src.read(p, Math.min(64 * 1024, end - p));
      bufStart = p;
    }
    return buf[p - bufStart] ?? 0;
  };
  const varint = (): number => {
    let v = 0;
    for (let shift = 0, i = 0; ; shift += 7, i++) {
      if (i >= 10) throw new ScanFormatError(`protobuf varint too long at offset ${pos}`);
      const b = byteAt(pos++);
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (pos < end) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const valueStart = pos;
    if (field === 0) throw new ScanFormatError(`protobuf field number 0 at offset ${valueStart}`);
    if (wire === 0) {
      const v = varint();
      yield { field, wire, start: valueStart, length: 0, varint: v };
    } else if (wire === 2) {
      const length = varint();
      const payload = pos;
      if (payload + length > end)
        throw new ScanFormatError(
          `protobuf field ${field} of ${length} bytes at offset ${payload} runs past its message`,
        );
      pos = payload + length;
      yield { field, wire, start: payload, length, varint: 0 };
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > end)
        throw new ScanFormatError(`protobuf fixed field truncated at offset ${valueStart}`);
      yield { field, wire, start: valueStart, length: 0, varint: 0 };
    } else
      throw new ScanFormatError(
        `protobuf wire type ${wire} at offset ${valueStart} is not supported`,
      );
  }
}

export function protoString(src: ByteSource, f: ProtoField, max = 1 << 20): string {
  return Buffer.from(src.read(f.start, Math.min(f.length, max))).toString('utf8');
}
