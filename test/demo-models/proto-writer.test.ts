import { describe, expect, it } from 'vitest';
import { encodeVarint, ProtoWriter } from '../../scripts/demo-models/proto-writer.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('ProtoWriter', () => {
  it('encodes varints as in the protobuf encoding guide', () => {
    expect(hex(encodeVarint(0n))).toBe('00');
    expect(hex(encodeVarint(1n))).toBe('01');
    expect(hex(encodeVarint(150n))).toBe('9601');
    expect(hex(encodeVarint(0xffff_ffff_ffff_ffffn))).toBe('ffffffffffffffffff01');
    expect(() => encodeVarint(-1n)).toThrow(RangeError);
  });

  it('writes negative int64 fields as ten-byte two’s complement', () => {
    expect(hex(new ProtoWriter().int(3, -1).finish())).toBe('18ffffffffffffffffff01');
  });

  it('writes strings, nested messages and packed repeated ints length-delimited', () => {
    // The guide's example: message Test2 { string b = 2; } with b = "testing".
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    const inner = new ProtoWriter().int(1, 150);
    expect(hex(new ProtoWriter().message(3, inner).finish())).toBe('1a03089601');
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
  });
});
