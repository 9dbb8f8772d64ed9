import { FriendsLink } from '../friends/FriendsLink';
import { Sidebar } from '../home/Sidebar';
import { DmList } from './DmList';

/** Home's second column, on Home, Friends and every DM: Friends on top, then the conversations. */
export function DmSidebar({ mobileOpen = false }: { mobileOpen?: boolean }) {
  return (
    <Sidebar label="Direct messages" mobileOpen={mobileOpen} header={<span className="font-semibold">Direct Messages</span>}>
      <FriendsLink />
      <DmList />
    </Sidebar>
  );
}
