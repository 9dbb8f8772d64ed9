import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { Avatar } from '../../ui/Avatar';
import { Banner } from '../../ui/Banner';
import { useProfile } from './queries';

/**
 * A user's profile at a glance, opened from a message author or the member list: avatar, names, status and bio,
 * with a link to the full profile page and what the opener offers (Message, Kick, Ban). Escape closes it and gives focus back to what opened it.
 */
export function ProfileCard({
  userId,
  onClose,
  className = '',
  children,
}: {
  userId: string;
  onClose?: () => void;
  className?: string;
  /** Actions on this user (Message, Kick, Ban), shown inside the card. */
  children?: React.ReactNode;
}) {
  const profile = useProfile(userId);
  const card = useRef<HTMLDivElement>(null);

  useEffect(() => {
    card.current?.focus();
  }, []);

  const name = profile.data ? (profile.data.displayName ?? profile.data.username) : 'Profile';
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions -- Escape closes a dialog (WAI-ARIA dialog pattern)
    <div
      ref={card}
      role="dialog"
      aria-label={`Profile of ${name}`}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose?.();
        }
      }}
      className={`w-72 rounded-lg bg-white p-4 text-zinc-900 shadow-xl ring-1 ring-zinc-300 outline-none dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 ${className}`}
      data-testid="profile-card"
    >
      {profile.isPending ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : profile.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(profile.error)}
        </p>
      ) : (
        <>
          <Banner
            url={profile.data.bannerUrl}
            alt={`Banner of ${name}`}
            className="-mx-4 -mt-4 mb-3 w-[calc(100%+2rem)]! max-w-none rounded-t-lg"
          />
          <div className="flex items-center gap-3">
            <Avatar id={profile.data.id} name={name} url={profile.data.avatarUrl} />
            <div className="min-w-0">
              <p className="truncate font-semibold">{name}</p>
              <p className="truncate text-sm text-zinc-600 dark:text-zinc-400">@{profile.data.username}</p>
            </div>
          </div>
          {profile.data.statusText && <p className="mt-3 text-sm">{profile.data.statusText}</p>}
          {profile.data.bio && (
            <>
              <h3 className="mt-3 text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">About me</h3>
              {/* Text, never markup: a bio is whatever its author typed. */}
              <p className="mt-1 whitespace-pre-wrap break-words text-sm">{profile.data.bio}</p>
            </>
          )}
          <Link
            to={`/users/${profile.data.id}`}
            className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            View full profile
          </Link>
          {children && <div className="mt-3 flex flex-wrap gap-1.5 border-t border-zinc-200 pt-3 dark:border-zinc-700">{children}</div>}
        </>
      )}
    </div>
  );
}
