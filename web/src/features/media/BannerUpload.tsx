import type { Me } from '../../api/types';
import { Banner } from '../../ui/Banner';
import { PictureUpload } from './PictureUpload';
import {
  useRemoveMyPictureMutation,
  useRemoveServerPictureMutation,
  useUploadMyPictureMutation,
  useUploadServerPictureMutation,
} from './queries';

const placeholder = <div aria-hidden="true" className="aspect-[5/2] w-40 rounded-lg bg-zinc-300 dark:bg-zinc-700" />;

/** The preview of a banner in settings: the picture, or an empty frame of its shape. */
function Preview({ url, alt }: { url?: string | null; alt: string }) {
  return url ? <Banner url={url} alt={alt} className="w-40! shrink-0 rounded-lg" /> : placeholder;
}

/** The signed-in user's profile banner in Profile settings: upload with a 5:2 crop step, or remove. */
export function ProfileBannerUpload({ me }: { me: Me }) {
  const upload = useUploadMyPictureMutation('banner');
  const remove = useRemoveMyPictureMutation('banner');
  return (
    <PictureUpload
      label="Banner"
      round={false}
      banner
      hasPicture={!!me.bannerUrl}
      preview={<Preview url={me.bannerUrl} alt="Your banner" />}
      actions={{ upload, remove }}
    />
  );
}

/** A server's banner, shown at the top of its channel sidebar, for its settings (needs MANAGE_SERVER). */
export function ServerBannerUpload({ server }: { server: { id: string; bannerUrl?: string | null } }) {
  const upload = useUploadServerPictureMutation(server.id, 'banner');
  const remove = useRemoveServerPictureMutation(server.id, 'banner');
  return (
    <section aria-labelledby="server-banner-h" className="rounded-lg bg-side p-4 dark:bg-side-dark">
      <h2 id="server-banner-h" className="mb-3 font-semibold">
        Server banner
      </h2>
      <PictureUpload
        label="Banner"
        round={false}
        banner
        hasPicture={!!server.bannerUrl}
        preview={<Preview url={server.bannerUrl} alt="Server banner" />}
        actions={{ upload, remove }}
      />
    </section>
  );
}
