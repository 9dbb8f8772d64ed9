import { ServerIcon } from '../../ui/ServerIcon';
import { PictureUpload } from './PictureUpload';
import { useRemoveServerPictureMutation, useUploadServerPictureMutation } from './queries';

/**
 * A server's icon for its settings (needs MANAGE_SERVER): upload with a crop step, or remove. Self-contained, so
 * either settings layout can mount it.
 */
export function ServerIconUpload({ server }: { server: { id: string; name: string; iconUrl?: string | null } }) {
  const upload = useUploadServerPictureMutation(server.id, 'icon');
  const remove = useRemoveServerPictureMutation(server.id, 'icon');
  return (
    <section aria-labelledby="server-icon-h" className="rounded-lg bg-side p-4 dark:bg-side-dark">
      <h2 id="server-icon-h" className="mb-3 font-semibold">
        Server icon
      </h2>
      <PictureUpload
        label="Icon"
        round={false}
        hasPicture={!!server.iconUrl}
        preview={<ServerIcon name={server.name} url={server.iconUrl} className="size-20 rounded-2xl bg-main text-xl dark:bg-main-dark" />}
        actions={{ upload, remove }}
      />
    </section>
  );
}
