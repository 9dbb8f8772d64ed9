import { FriendsLink } from '../friends/FriendsLink';
import { Sidebar } from '../home/Sidebar';
import type { Drawer } from '../../ui/useOpenWhile';
import { DmList } from './DmList';

/** Home's second column, on Home, Friends and every DM: Friends on top, then the conversations. */
export function DmSidebar({ drawer, mobilePage = false }: { drawer?: Drawer; mobilePage?: boolean }) {
  return (
    <Sidebar
      label="Direct messages"
      drawer={drawer}
      mobilePage={mobilePage}
      // Where the list is a phone's whole Home page, its title is the page's heading.
      header={mobilePage ? <h2 className="font-semibold">Direct Messages</h2> : <span className="font-semibold">Direct Messages</span>}
    >
      <FriendsLink />
      <DmList />
    </Sidebar>
  );
}
