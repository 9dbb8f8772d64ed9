import { Link, Navigate, useParams } from 'react-router';
import { usePageTitle } from '../../ui/usePageTitle';
import { useDms } from '../dms/queries';
import { useConnectionStatus, useGateway } from '../gateway/context';
import { useServers } from '../servers/queries';

/**
 * /channels/:channelId/:messageId?: a channel or a message named by id alone (kamachat:// links, shared links).
 * Finds whether it is a server channel or a DM and opens it there, at the message.
 */
export default function ChannelLinkPage() {
  const { channelId = '', messageId } = useParams();
  const servers = useServers();
  const { data: dms, isPending } = useDms();
  useConnectionStatus();
  const known = useGateway().ready;
  usePageTitle('Opening…');
  const at = messageId ? `/${messageId}` : '';
  const server = servers.find((s) => s.channels.some((c) => c.id === channelId));
  if (server) return <Navigate to={`/servers/${server.id}/channels/${channelId}${at}`} replace />;
  if (dms?.some((d) => d.id === channelId)) return <Navigate to={`/channels/@me/${channelId}${at}`} replace />;
  const looking = !known || isPending;
  return (
    <main id="main" className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
      <h1 className="text-xl font-semibold">{looking ? 'Opening…' : 'Channel not found'}</h1>
      {!looking && <p className="text-sm text-zinc-600 dark:text-zinc-400">It does not exist, or you cannot see it.</p>}
      <Link to="/" className="text-blue-700 underline dark:text-sky-400">
        Go home
      </Link>
    </main>
  );
}
