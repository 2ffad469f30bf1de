import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scan } from '../scan.js';

/** A ustar archive of text files (POSIX.1-1988 header: name, octal sizes, checksum). */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    const sum = [...header].reduce((a, b) => a + b, 0);
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe('tar archives', () => {
  it('reports a tar as tar and a .tar.gz as tar.gz, not zip', async () => {
    const archive = tar({ 'notes.txt': 'hello\n' });
    expect((await scan(archive, { name: 'model.tar' })).format).toBe('tar');
    const gz = await scan(gzipSync(archive), { name: 'model.tar.gz' });
    expect({ format: gz.format, verdict: gz.verdict }).toEqual({
      format: 'tar.gz',
      verdict: 'safe',
    });
  });
});
