import { createHmac } from 'node:crypto';

/** An independent RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps), as an authenticator app computes it. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, ignoring spaces, case and padding. */
export function base32Decode(input: string): Buffer {
  const clean = input.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', key).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return binary.toString().padStart(6, '0');
}

export function totp(secret: string, at = Date.now(), step = 30): string {
  return hotp(base32Decode(secret), Math.floor(at / 1000 / step));
}

/**
 * The server accepts a code from the steps around now (±1), each step only once and never an older step than
 * the last one used (replay protection). Tests that need several codes take them from increasing steps; when
 * the next usable step is still in the future, this waits for the clock to reach it.
 */
export function createCodeSource(secret: string, step = 30) {
  const key = base32Decode(secret);
  let last = -Infinity;
  const current = () => Math.floor(Date.now() / 1000 / step);
  return {
    async next(): Promise<string> {
      for (;;) {
        const now = current();
        const counter = Math.max(last + 1, now);
        if (counter <= now + 1) {
          last = counter;
          return hotp(key, counter);
        }
        // Until the server's "now" reaches one step before the counter; a real clock condition, not a guess.
        await new Promise((resolve) => setTimeout(resolve, (now + 1) * step * 1000 - Date.now() + 50));
      }
    },
  };
}
