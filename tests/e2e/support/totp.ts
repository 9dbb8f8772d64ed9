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
 * The server accepts the code of a step from one step before its "now" to one step after, each step only once
 * and never a step older than the last one used (replay protection). Tests that need several codes take them
 * from increasing steps: the oldest one still accepted for at least `marginMs` more, waiting for the clock
 * when every such step was already used.
 */
export function createCodeSource(secret: string, { step = 30, marginMs = 10_000 } = {}) {
  const key = base32Decode(secret);
  const stepMs = step * 1000;
  let last = -Infinity;
  return {
    async next(): Promise<string> {
      const now = Date.now();
      let counter = Math.max(last + 1, Math.floor(now / stepMs) - 1);
      // Accepted until the server's clock passes the step after it.
      while ((counter + 2) * stepMs - now < marginMs) counter++;
      // Accepted from the step before it; a real clock condition, not a guess.
      const acceptedFrom = (counter - 1) * stepMs;
      if (acceptedFrom > now) await new Promise((resolve) => setTimeout(resolve, acceptedFrom - now + 100));
      last = counter;
      return hotp(key, counter);
    },
  };
}
