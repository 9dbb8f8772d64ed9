import { describe, expect, it } from 'vitest';
import { lengthProblem, LONG_TEXT_FILE_NAME, longTextFile, MAX_MESSAGE_LENGTH } from './messageLength';

describe('a message too long to send', () => {
  it('is refused over the limit, not at it', () => {
    expect(lengthProblem('a'.repeat(MAX_MESSAGE_LENGTH))).toBeNull();
    expect(lengthProblem('a'.repeat(MAX_MESSAGE_LENGTH + 3))).toContain('3 characters too long');
  });

  it('can go as message.txt holding the text, UTF-8 encoded', async () => {
    const text = 'é'.repeat(MAX_MESSAGE_LENGTH + 1);
    const file = longTextFile(text);
    expect(file.name).toBe(LONG_TEXT_FILE_NAME);
    expect(file.type).toBe('text/plain;charset=utf-8');
    expect(file.size).toBe(new TextEncoder().encode(text).length);
    const read = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(file);
    });
    expect(read).toBe(text);
  });
});
