/**
 * A minimal Protocol Buffers encoder: just the wire types the ONNX subset needs
 * (varint, length-delimited; https://protobuf.dev/programming-guides/encoding/).
 * Fields are written in the order the caller writes them, so output bytes are deterministic.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wireType: 0 | 2): void {
    this.push(encodeVarint(BigInt(field * 8 + wireType)));
  }

  /** int32/int64/enum field. Negative values take 10 bytes (two's complement), as the spec says. */
  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.push(encodeVarint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated varint field (proto3 default for repeated scalars). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(encodeVarint(BigInt.asUintN(64, BigInt(v))));
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Base-128 varint of an unsigned 64-bit value. */
export function encodeVarint(value: bigint): Uint8Array {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn)
    throw new RangeError(`varint out of range: ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0n);
  return Uint8Array.from(bytes);
}
