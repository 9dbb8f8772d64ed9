import { lazy, memo, Suspense, useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { Avatar } from '../../ui/Avatar';
import { MessageAttachments } from '../attachments/MessageAttachments';
import { recentEmoji, rememberEmoji } from '../emoji/recent';
import type { ChatMessage } from '../gateway/messageStore';
import { liveDisplayName, useLiveProfile } from '../users/liveProfiles';
import { ProfileCard } from '../users/ProfileCard';
import { LinkEmbeds } from './LinkEmbeds';
import { Markdown, type MentionNames } from './Markdown';
import { mentionsAsText } from './markdown';
import { SystemLine, systemText } from './SystemLine';
import { LengthCounter, lengthProblem, nearLengthLimit, useAutoGrow } from './messageLength';

const EmojiPicker = lazy(() => import('../emoji/EmojiPicker'));

/** How many recently used emoji the reaction bar offers before "More emoji". */
const QUICK_REACTIONS = 8;

export interface RowActions extends MentionNames {
  canManage: boolean;
  canPin: boolean;
  myId: string | undefined;
  /** The colour an author's name shows in (their highest coloured role in a server), when any. */
  colorOf: (userId: string) => string | undefined;
  /** Whether I blocked this user: their messages stay collapsed until shown. */
  isBlocked: (userId: string) => boolean;
  onReply: (m: ChatMessage) => void;
  onEdit: (m: ChatMessage | null) => void;
  onSaveEdit: (m: ChatMessage, content: string) => void;
  /** `skipConfirm`: Shift was held, as Discord users do to delete without being asked. */
  onDelete: (m: ChatMessage, skipConfirm: boolean) => void;
  onReact: (m: ChatMessage, emoji: string, on: boolean) => void;
  onPin: (m: ChatMessage) => void;
  /** Removes the message's link previews for good (offered to its author and to moderators). */
  onRemoveEmbeds: (m: ChatMessage) => void;
  onRetry: (m: ChatMessage) => void;
  onDiscard: (m: ChatMessage) => void;
  /** Whether a message names me, one of my roles or everyone (it is highlighted). */
  isMentioned: (m: ChatMessage) => boolean;
  /** Copies the message's link; resolves whether it could. */
  onCopyLink: (m: ChatMessage) => Promise<boolean>;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function EditBox({ message, actions }: { message: ChatMessage; actions: RowActions }) {
  const [text, setText] = useState(message.content);
  const [refusal, setRefusal] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const counterId = useId();
  useAutoGrow(ref, text);
  // Up in the composer opens this: the caret goes to the end, where one goes on writing.
  useEffect(() => {
    const box = ref.current;
    box?.focus();
    box?.setSelectionRange(box.value.length, box.value.length);
  }, []);
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') actions.onEdit(null);
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      const problem = lengthProblem(text);
      setRefusal(problem);
      if (!problem && text.trim()) actions.onSaveEdit(message, text);
    }
  };
  return (
    <div>
      <textarea
        ref={ref}
        aria-label="Edit message"
        aria-describedby={nearLengthLimit(text) ? counterId : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setRefusal(null);
        }}
        onKeyDown={onKey}
        rows={1}
        className="max-h-[50vh] w-full resize-none rounded-md bg-zinc-100 p-2 text-sm dark:bg-zinc-800"
      />
      {refusal && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {refusal}
        </p>
      )}
      <p className="flex gap-3 text-xs text-zinc-600 dark:text-zinc-400">
        Escape to cancel · Enter to save
        <LengthCounter text={text} id={counterId} />
      </p>
    </div>
  );
}

/** One message: author line (unless grouped with the one before), reply quote, text, reactions, hover actions. */
export const MessageRow = memo(function MessageRow({
  message: m,
  grouped,
  editing,
  targeted = false,
  firstNew = false,
  actions,
}: {
  message: ChatMessage;
  grouped: boolean;
  editing: boolean;
  /** The message a link or a notification led to: marked so the eye finds it. */
  targeted?: boolean;
  /** The first message after the read marker: the "New messages" divider sits above it. */
  firstNew?: boolean;
  actions: RowActions;
}) {
  const [picker, setPicker] = useState<false | 'quick' | 'full'>(false);
  const closePicker = useCallback(() => setPicker(false), []);
  const [copied, setCopied] = useState(false);
  const [profileOpen, setProfileOpen] = useState(false);
  const closeProfile = useCallback(() => setProfileOpen(false), []);
  const nameRef = useRef<HTMLSpanElement>(null);
  const [revealed, setRevealed] = useState(false);
  const mine = m.author.id === actions.myId;
  const mentioned = actions.isMentioned(m);
  const local = m.localState !== undefined;
  const name = liveDisplayName(useLiveProfile(m.author.id), m.author);
  const system = systemText(m);
  if (system !== null) return <SystemLine message={m} text={system} firstNew={firstNew} divider={<NewMessagesDivider />} />;
  if (actions.isBlocked(m.author.id) && !revealed)
    return (
      <div
        data-testid="message-row"
        data-message-id={m.id}
        data-state="blocked"
        role="article"
        aria-label="Blocked message"
        className={`px-4 ${grouped ? 'py-0.5' : 'mt-3 py-0.5'}`}
      >
        {firstNew && <NewMessagesDivider />}
        <div className="ml-[52px] flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          Blocked message —
          <button type="button" className="font-medium text-zinc-800 underline dark:text-zinc-200" onClick={() => setRevealed(true)}>
            Show
          </button>
        </div>
      </div>
    );
  return (
    <div
      data-testid="message-row"
      data-message-id={m.id}
      data-state={m.localState ?? 'sent'}
      data-targeted={targeted || undefined}
      data-mentioned={mentioned || undefined}
      aria-current={targeted ? 'location' : undefined}
      aria-label={`${name}: ${mentionsAsText(m.content, actions)}`}
      role="article"
      // Focusable, as the feed pattern asks: focusing a message shows its actions, and Tab moves into them.
      tabIndex={0}
      className={`group relative px-4 hover:bg-zinc-100 focus-within:bg-zinc-100 dark:hover:bg-zinc-800/40 dark:focus-within:bg-zinc-800/40 ${grouped && !m.replyTo ? 'py-0.5' : 'mt-3 py-0.5'} ${m.localState === 'pending' ? 'opacity-60' : ''} ${targeted ? 'bg-amber-100/70 dark:bg-amber-900/25' : ''} ${mentioned ? 'border-l-2 border-amber-500 bg-amber-50 dark:bg-amber-400/10' : ''}`}
    >
      {firstNew && <NewMessagesDivider />}
      {m.replyTo && (
        <div className="ml-12 truncate text-xs text-zinc-600 dark:text-zinc-400" data-testid="reply-quote">
          ↪ replying to <span className="font-semibold">@{m.replyTo.authorId ? actions.nameOf(m.replyTo.authorId) : 'unknown'}</span>{' '}
          {m.replyTo.deleted ? <em>Original message was deleted</em> : mentionsAsText(m.replyTo.content ?? '', actions)}
        </div>
      )}
      <div className="flex gap-3">
        <div className="w-10 shrink-0">{(!grouped || m.replyTo) && <Avatar id={m.author.id} name={name} url={m.author.avatarUrl} />}</div>
        <div className="min-w-0 flex-1">
          {(!grouped || m.replyTo) && (
            <div className="flex items-baseline gap-2">
              <span ref={nameRef} className="relative min-w-0">
                <button
                  type="button"
                  aria-expanded={profileOpen}
                  onClick={() => setProfileOpen(!profileOpen)}
                  className="max-w-full truncate align-bottom font-semibold hover:underline"
                  style={{ color: actions.colorOf(m.author.id) }}
                  data-testid="author-name"
                >
                  {name}
                </button>
                {profileOpen && (
                  // Over the rows after it and whole on the screen: under the last message the list cut it off, and the
                  // next message's text showed through it.
                  <RowPopover onClose={closeProfile} opener={nameRef} className="absolute top-6 left-0 z-30">
                    <ProfileCard userId={m.author.id} onClose={closeProfile} />
                  </RowPopover>
                )}
              </span>
              <time dateTime={m.createdAt} className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
                {time(m.createdAt)}
              </time>
              {m.pinned && <span className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">📌 pinned</span>}
            </div>
          )}
          {editing ? (
            <EditBox message={m} actions={actions} />
          ) : (
            <div className="whitespace-pre-wrap break-words text-[15px] leading-relaxed" data-testid="message-content">
              <Markdown content={m.content} names={actions} />
              {m.editedAt && <span className="ml-1 text-xs text-zinc-600 dark:text-zinc-400">(edited)</span>}
            </div>
          )}
          <MessageAttachments attachments={m.attachments} />
          <LinkEmbeds embeds={m.embeds} onRemove={!local && (mine || actions.canManage) ? () => actions.onRemoveEmbeds(m) : undefined} />
          {m.localState === 'failed' && (
            <div className="flex flex-wrap items-center gap-x-2 text-sm text-red-700 dark:text-red-300" role="alert">
              <span className={m.localError ? 'basis-full' : undefined}>
                Not sent. {m.localError ?? 'Messages you wrote after it wait until you retry or discard it.'}
              </span>
              <button type="button" className="font-semibold underline" onClick={() => actions.onRetry(m)}>
                Retry
              </button>
              <button type="button" className="underline" onClick={() => actions.onDiscard(m)}>
                Discard
              </button>
            </div>
          )}
          {m.localState === 'held' && (
            <div className="flex flex-wrap items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300" data-testid="held-notice">
              Waiting: a message before it was not sent.
              <button type="button" className="underline" onClick={() => actions.onDiscard(m)}>
                Discard
              </button>
            </div>
          )}
          {m.reactions.length > 0 && (
            <div className="mt-1 flex flex-wrap gap-1">
              {m.reactions.map((r) => (
                <button
                  key={r.emoji}
                  type="button"
                  aria-pressed={r.me}
                  aria-label={`${r.emoji} ${r.count} reaction${r.count === 1 ? '' : 's'}`}
                  onClick={() => actions.onReact(m, r.emoji, !r.me)}
                  className={`rounded-md border px-1.5 text-sm ${r.me ? 'border-brand bg-brand/15' : 'border-zinc-300 bg-zinc-100 dark:border-zinc-700 dark:bg-zinc-800'}`}
                >
                  {r.emoji} {r.count}
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
      {!local && !editing && (
        <div className="absolute -top-3 right-4 hidden gap-0.5 rounded-md border border-zinc-300 bg-white p-0.5 shadow group-hover:flex group-focus-within:flex dark:border-zinc-700 dark:bg-zinc-900">
          <ToolButton label="Add reaction" onClick={() => setPicker((v) => (v ? false : 'quick'))}>
            ☺
          </ToolButton>
          <ToolButton label="Reply" onClick={() => actions.onReply(m)}>
            ↩
          </ToolButton>
          {mine && (
            <ToolButton label="Edit" onClick={() => actions.onEdit(m)}>
              ✎
            </ToolButton>
          )}
          {actions.canPin && (
            <ToolButton label={m.pinned ? 'Unpin' : 'Pin'} onClick={() => actions.onPin(m)}>
              📌
            </ToolButton>
          )}
          <ToolButton
            label={copied ? 'Link copied' : 'Copy message link'}
            onClick={() =>
              void actions.onCopyLink(m).then((done) => {
                setCopied(done);
                if (done) setTimeout(() => setCopied(false), 2000);
              })
            }
          >
            {copied ? '✓' : '🔗'}
          </ToolButton>
          {(mine || actions.canManage) && (
            <ToolButton label="Delete" onClick={(e) => actions.onDelete(m, e.shiftKey)}>
              🗑
            </ToolButton>
          )}
        </div>
      )}
      {picker === 'quick' && (
        <div
          role="group"
          aria-label="Pick a reaction"
          data-popover
          className="absolute right-4 top-5 z-10 flex flex-wrap gap-1 rounded-md border border-zinc-300 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          {recentEmoji()
            .slice(0, QUICK_REACTIONS)
            .map((e) => (
              <button
                key={e}
                type="button"
                aria-label={`React with ${e}`}
                className="rounded p-1 text-lg hover:bg-zinc-200 dark:hover:bg-zinc-700"
                onClick={() => {
                  setPicker(false);
                  rememberEmoji(e);
                  actions.onReact(m, e, true);
                }}
              >
                {e}
              </button>
            ))}
          <button
            type="button"
            aria-label="More emoji"
            title="More emoji"
            className="rounded p-1 text-lg hover:bg-zinc-200 dark:hover:bg-zinc-700"
            onClick={() => setPicker('full')}
          >
            ＋
          </button>
        </div>
      )}
      {picker === 'full' && (
        <RowPopover onClose={closePicker} className="absolute right-4 top-5 z-10">
          <Suspense fallback={<p className="rounded bg-white p-2 text-sm dark:bg-zinc-900">Loading emoji…</p>}>
            <EmojiPicker label="Pick a reaction" onPick={(e) => actions.onReact(m, e, true)} onClose={closePicker} />
          </Suspense>
        </RowPopover>
      )}
    </div>
  );
});

const PHONE = '(max-width: 639.98px)';

/**
 * Where what a message opens (the full reaction picker, its author's card) goes: beside the message, over the rows
 * after it, or on a phone at the foot of the screen. There the message list is narrower than it and clips it (the
 * picker's left part and search were off the screen), so it goes to the page's body. A press outside it closes it, as
 * Escape does.
 */
function RowPopover({
  onClose,
  opener,
  className,
  children,
}: {
  onClose: () => void;
  /** What opened it (and closes it again): a press there is not outside. */
  opener?: React.RefObject<HTMLElement | null>;
  /** Where it opens beside the message, from sm up. */
  className: string;
  children: React.ReactNode;
}) {
  const [phone] = useState(() => window.matchMedia(PHONE).matches);
  const place = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const at = place.current;
    // A press outside closes it on every screen: a tablet has no Escape key, and the card stayed over the messages.
    const closeOutside = (e: PointerEvent) =>
      !place.current?.contains(e.target as Node) && !opener?.current?.contains(e.target as Node) && onClose();
    document.addEventListener('pointerdown', closeOutside);
    // Under one of the last messages it runs past the list's foot: the list scrolls to show all of it, once it has its
    // size (the picker loads on demand).
    const observer = !phone && at ? new ResizeObserver(() => at.scrollIntoView({ block: 'nearest' })) : null;
    if (observer && at) observer.observe(at);
    return () => {
      document.removeEventListener('pointerdown', closeOutside);
      observer?.disconnect();
    };
  }, [phone, onClose, opener]);
  if (!phone)
    return (
      <div ref={place} data-popover className={className}>
        {children}
      </div>
    );
  return createPortal(
    <div ref={place} className="fixed inset-x-2 bottom-2 z-50 flex justify-center">
      {children}
    </div>,
    document.body,
  );
}

/** Inside the message's article (a feed holds only articles), above its content. */
function NewMessagesDivider() {
  return (
    <div role="separator" aria-label="New messages" className="-mx-4 mb-1 flex items-center gap-2 px-2" data-testid="new-messages-divider">
      <span className="h-px flex-1 bg-red-600" />
      <span className="rounded bg-red-700 px-1.5 text-xs font-bold text-white">NEW</span>
    </div>
  );
}

function ToolButton({
  label,
  onClick,
  children,
}: {
  label: string;
  onClick: (e: React.MouseEvent<HTMLButtonElement>) => void;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      className="rounded px-1.5 py-0.5 text-sm hover:bg-zinc-200 dark:hover:bg-zinc-700"
    >
      <span aria-hidden="true">{children}</span>
    </button>
  );
}
