import { NavLink } from 'react-router';
import { UsersIcon } from '../../ui/icons';
import { useRelationships } from './queries';

/** The Friends entry at the top of Home's sidebar, with the number of requests waiting for an answer. */
export function FriendsLink() {
  const { data } = useRelationships();
  const incoming = (data ?? []).filter((r) => r.type === 'incoming').length;
  return (
    <NavLink
      to="/friends"
      className={({ isActive }) =>
        `flex items-center gap-3 rounded-md px-2 py-2 text-sm font-medium ${
          isActive ? 'bg-zinc-300/70 dark:bg-zinc-700/60' : 'hover:bg-zinc-300/40 dark:hover:bg-zinc-700/40'
        }`
      }
    >
      <UsersIcon /> Friends
      {incoming > 0 && (
        <span className="ml-auto rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white">
          {incoming}
          <span className="sr-only"> friend request{incoming === 1 ? '' : 's'} waiting</span>
        </span>
      )}
    </NavLink>
  );
}
