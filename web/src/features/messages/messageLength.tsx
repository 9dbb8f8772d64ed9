import { useLayoutEffect, type RefObject } from 'react';

/** The server's limit on a message's content (UTF-16 code units, as it counts them). */
export const MAX_MESSAGE_LENGTH = 4000;
/** The counter shows from here on, so it is there before the limit surprises anyone. */
const COUNTER_FROM = MAX_MESSAGE_LENGTH - 500;

/** Why a text cannot be sent, or null: refused here in words rather than cut short or bounced by the server. */
export function lengthProblem(text: string): string | null {
  const over = text.trim().length - MAX_MESSAGE_LENGTH;
  if (over <= 0) return null;
  return `This message is ${over.toLocaleString()} character${over === 1 ? '' : 's'} too long: ${MAX_MESSAGE_LENGTH.toLocaleString()} at most. Shorten it or split it in two.`;
}

/** The name a message too long to send goes under, as a file (an upload like any other). */
export const LONG_TEXT_FILE_NAME = 'message.txt';

/** A text too long for a message, as the file it can go as instead (UTF-8, like the server reads text). */
export const longTextFile = (text: string) => new File([text], LONG_TEXT_FILE_NAME, { type: 'text/plain;charset=utf-8' });

/** Whether the counter shows (a box points its aria-describedby at it only then). */
export const nearLengthLimit = (text: string) => text.length >= COUNTER_FROM;

/** Characters left (or over) near the limit; nothing well below it. Describes the box it counts for. */
export function LengthCounter({ text, id }: { text: string; id: string }) {
  if (!nearLengthLimit(text)) return null;
  const left = MAX_MESSAGE_LENGTH - text.length;
  return (
    <span
      id={id}
      data-testid="length-counter"
      className={`text-xs font-semibold ${left < 0 ? 'text-red-700 dark:text-red-300' : 'text-zinc-600 dark:text-zinc-400'}`}
    >
      {left < 0 ? `${(-left).toLocaleString()} over the limit` : `${left.toLocaleString()} left`}
    </span>
  );
}

/** Grows a textarea with its content, up to its CSS max-height (then it scrolls). */
export function useAutoGrow(ref: RefObject<HTMLTextAreaElement | null>, value: string) {
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.style.height = 'auto';
    box.style.height = `${box.scrollHeight + box.offsetHeight - box.clientHeight}px`;
  }, [ref, value]);
}
