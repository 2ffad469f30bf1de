import { randomFillSync } from 'node:crypto';

// randomBytes(16) costs microseconds per call here (a syscall each time); draw 4 KiB at once.
const pool = Buffer.alloc(4096);
let offset = pool.length;

// Crockford base32, as ULID uses: sortable by time, no ambiguous letters.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A time-sortable id: `prefix_` + 10 characters of milliseconds + 16 of randomness (ULID
 * layout). Ids made in the same millisecond sort by their random part, not creation order.
 */
export function createId(prefix: string, timeMs: number = Date.now()): string {
  let time = '';
  let t = Math.floor(timeMs);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[pool[offset + i]! & 31];
  offset += 16;
  return `${prefix}_${time}${rand}`;
}
