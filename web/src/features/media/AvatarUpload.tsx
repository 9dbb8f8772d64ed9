import type { Me } from '../../api/types';
import { Avatar } from '../../ui/Avatar';
import { PictureUpload } from './PictureUpload';
import { useRemoveMyPictureMutation, useUploadMyPictureMutation } from './queries';

/** The signed-in user's avatar in Profile settings: upload with a crop step, or remove. */
export function AvatarUpload({ me, name }: { me: Me; name: string }) {
  const upload = useUploadMyPictureMutation('avatar');
  const remove = useRemoveMyPictureMutation('avatar');
  return (
    <PictureUpload
      label="Avatar"
      round
      hasPicture={!!me.avatarUrl}
      preview={<Avatar id={me.id} name={name} url={me.avatarUrl} size="lg" />}
      actions={{ upload, remove }}
    />
  );
}
