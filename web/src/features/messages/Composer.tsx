import { lazy, Suspense, useEffect, useId, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import type { Me, Message } from '../../api/types';
import { AttachmentTray } from '../attachments/AttachmentTray';
import type { UploadTray } from '../attachments/queries';
import { useGateway } from '../gateway/context';
import { formatEnd } from '../servers/moderation';
import { useTimeoutEnd } from '../servers/useTimeoutEnd';
import { displayName } from '../users/displayName';
import { loadedEmoji, replaceShortcodes } from '../emoji/emojiData';
import { useCompletion, type Suggestion } from './completion';
import { LengthCounter, lengthProblem, longTextFile, nearLengthLimit, useAutoGrow } from './messageLength';
import { newNonce, replyPreview, useSendQueue } from './queries';

const drafts = new Map<string, string>();

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker'));

export interface Mentionable {
  id: string;
  username: string;
  name: string;
  /** The colour their name shows in (their highest coloured role), when any. */
  color?: string | undefined;
}

/**
 * Writes a message: Enter sends, Shift+Enter breaks the line, Up edits your last one, @ completes a member's name and
 * :sm an emoji's shortcode; the emoji button opens the full picker.
 */
export function Composer({
  channelId,
  label,
  me,
  replyTo,
  onCancelReply,
  onEditLast,
  members,
  tray,
  timedOutUntil,
}: {
  channelId: string;
  label: string;
  me: Me | undefined;
  replyTo: Message | null;
  onCancelReply: () => void;
  onEditLast: () => void;
  members: Mentionable[];
  /** Files to send with the message (shared with the channel, where files can be dropped). */
  tray: UploadTray;
  /** My timeout in this channel's server, if any: the composer is closed until it ends. */
  timedOutUntil?: string | null | undefined;
}) {
  const gateway = useGateway();
  const timeoutEnd = useTimeoutEnd(timedOutUntil);
  const sends = useSendQueue();
  const [text, setText] = useState(() => drafts.get(channelId) ?? '');
  const [caret, setCaret] = useState(0);
  const [choice, setChoice] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  /** A text over the length limit, offered to go as a file instead (why, in words). */
  const [tooLong, setTooLong] = useState<string | null>(null);
  const [movedToFile, setMovedToFile] = useState(false);
  const counterId = useId();
  useAutoGrow(ref, text);

  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo]);

  const change = (value: string) => {
    setText(value);
    setRefusal(null);
    setTooLong(null);
    drafts.set(channelId, value);
    if (value) gateway.typing(channelId);
  };

  const completion = useCompletion(text.slice(0, caret), members);
  const matches = completion?.options ?? [];
  const [pickerOpen, setPickerOpen] = useState(false);

  /** Puts `insert` in place of the last `typed` characters before the caret. */
  const insertAtCaret = (insert: string, typed = 0) => {
    const before = text.slice(0, caret - typed) + insert;
    change(before + text.slice(caret));
    setCaret(before.length);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(before.length, before.length);
    });
  };
  const complete = (s: Suggestion) => insertAtCaret(s.insert, completion?.typed ?? 0);

  const fileInput = useRef<HTMLInputElement>(null);

  const send = () => {
    // `:smile:` typed out in full becomes its emoji, once the emoji data is here (it loads with the first `:sm`).
    const emoji = loadedEmoji();
    const content = (emoji ? replaceShortcodes(text, emoji) : text).trim();
    if ((!content && tray.files.length === 0) || !me) return;
    if (!tray.ready) {
      setRefusal(
        tray.files.some((f) => f.state === 'failed')
          ? 'Some files could not be uploaded: remove them to send the message.'
          : 'Wait until the files have finished uploading.',
      );
      return;
    }
    // Refused here, whole and in words: the text stays for the writer to shorten, or to send as a file.
    const problem = lengthProblem(content);
    if (problem) {
      setTooLong(problem);
      return;
    }
    setText('');
    drafts.delete(channelId);
    gateway.typingEnded(channelId);
    const attachmentIds = tray.files.map((f) => f.uploadId!);
    sends.send({ channelId, content, replyTo: replyTo && replyPreview(replyTo), nonce: newNonce(), author: me, attachmentIds });
    tray.sent();
    setMovedToFile(false);
    onCancelReply();
  };

  /** The long text goes to the tray as message.txt (the normal upload); the box empties for an optional caption. */
  const sendAsFile = () => {
    tray.add([longTextFile(text.trim())]);
    change('');
    setMovedToFile(true);
    ref.current?.focus();
  };

  // Files on the clipboard (a screenshot, files copied in a file manager) join the tray; text pastes as text.
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...e.clipboardData.files];
    if (files.length === 0) return;
    e.preventDefault();
    tray.add(files);
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setChoice((c) => (c + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        complete(matches[Math.min(choice, matches.length - 1)]!);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'ArrowUp' && text === '') {
      e.preventDefault();
      onEditLast();
    } else if (e.key === 'Escape') {
      onCancelReply();
    }
  };

  if (timeoutEnd) {
    const notice = `You are timed out until ${formatEnd(timeoutEnd, new Date())}`;
    return (
      <div className="px-4 pb-4">
        <p role="status" className="mb-1 text-sm text-amber-800 dark:text-amber-300">
          {notice}. You can read, but not send messages or react.
        </p>
        <textarea
          aria-label={label}
          disabled
          placeholder={notice}
          rows={1}
          className="w-full cursor-not-allowed resize-none rounded-md bg-zinc-100 px-4 py-2.5 text-[15px] opacity-70 placeholder:text-zinc-600 dark:bg-[#383a40] dark:placeholder:text-zinc-300"
        />
      </div>
    );
  }

  return (
    <div className="px-4 pb-4">
      {replyTo && (
        <div className="flex items-center justify-between rounded-t-md bg-zinc-200 px-3 py-1 text-sm dark:bg-zinc-800">
          <span>
            Replying to <strong>{displayName(replyTo.author)}</strong>
          </span>
          <button type="button" aria-label="Cancel reply" onClick={onCancelReply} className="px-1">
            ✕
          </button>
        </div>
      )}
      {matches.length > 0 && (
        <ul
          role="listbox"
          aria-label={completion!.label}
          className="mb-1 rounded-md border border-zinc-300 bg-white p-1 shadow dark:border-zinc-700 dark:bg-zinc-900"
        >
          {matches.map((m, i) => (
            <li key={m.key} role="option" aria-selected={i === choice}>
              <button
                type="button"
                onMouseDown={(e) => {
                  e.preventDefault();
                  complete(m);
                }}
                className={`w-full rounded px-2 py-1 text-left text-sm ${i === choice ? 'bg-brand/20' : ''}`}
              >
                {m.main} <span className="text-zinc-600 dark:text-zinc-400">{m.detail}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {pickerOpen && (
        <div className="mb-1 flex justify-end">
          <Suspense fallback={<p className="text-sm text-zinc-600 dark:text-zinc-400">Loading emoji…</p>}>
            <EmojiPicker label="Emoji picker" onPick={(emoji) => insertAtCaret(emoji)} onClose={() => setPickerOpen(false)} />
          </Suspense>
        </div>
      )}
      {refusal && (
        <p role="alert" className="mb-1 text-sm text-red-700 dark:text-red-300">
          {refusal}
        </p>
      )}
      {tooLong && (
        <div role="alert" className="mb-1 flex flex-wrap items-center gap-2 text-sm text-red-700 dark:text-red-300">
          <span>{tooLong}</span>
          <button type="button" onClick={sendAsFile} className="rounded bg-brand px-2 py-0.5 font-medium text-white hover:bg-brand-strong">
            Send as a text file
          </button>
        </div>
      )}
      {movedToFile && tray.files.length > 0 && (
        <p role="status" className="mb-1 text-sm text-zinc-700 dark:text-zinc-300">
          Your text is attached as message.txt. Add a caption if you like, then send.
        </p>
      )}
      <AttachmentTray tray={tray} />
      <div className="flex items-start gap-2">
        <button
          type="button"
          aria-label="Attach files"
          title="Attach files"
          onClick={() => fileInput.current?.click()}
          className="mt-1 grid h-9 w-9 shrink-0 place-items-center rounded-full bg-zinc-200 text-xl leading-none text-zinc-700 hover:bg-zinc-300 focus-visible:outline-2 focus-visible:outline-brand dark:bg-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-600"
        >
          +
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(e) => {
            tray.add([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <textarea
          ref={ref}
          aria-label={label}
          aria-describedby={nearLengthLimit(text) ? counterId : undefined}
          placeholder={label}
          value={text}
          rows={1}
          onChange={(e) => {
            change(e.target.value);
            setCaret(e.target.selectionStart);
            setChoice(0);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKey}
          onPaste={onPaste}
          className="max-h-[50vh] w-full resize-none rounded-md bg-zinc-100 px-4 py-2.5 text-[15px] placeholder:truncate placeholder:text-zinc-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-brand dark:bg-[#383a40] dark:placeholder:text-zinc-400"
        />
        <button
          type="button"
          aria-label="Choose an emoji"
          aria-expanded={pickerOpen}
          title="Emoji"
          onClick={() => setPickerOpen((open) => !open)}
          className="mt-1 grid h-9 w-9 shrink-0 place-items-center rounded-full text-xl leading-none text-zinc-700 hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-brand dark:text-zinc-200 dark:hover:bg-zinc-700"
        >
          ☺
        </button>
      </div>
      <div className="flex justify-end">
        <LengthCounter text={text} id={counterId} />
      </div>
    </div>
  );
}
