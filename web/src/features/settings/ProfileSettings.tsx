import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import type { Me } from '../../api/types';
import { Alert } from '../../ui/Alert';
import { Avatar } from '../../ui/Avatar';
import { Button, Spinner } from '../../ui/Button';
import { TextAreaField, TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { useMe } from '../auth/queries';
import { AvatarUpload } from '../media/AvatarUpload';
import { ProfileBannerUpload } from '../media/BannerUpload';
import { useUpdateProfileMutation } from '../users/queries';
import { SectionHeading } from './SettingsLayout';

export const BIO_MAX = 190;

export default function ProfileSettings() {
  usePageTitle('Profile settings');
  const { data: me, error } = useMe();
  if (error) return <Alert>{errorMessage(error)}</Alert>;
  if (!me) return <Spinner label="Loading…" />;
  return <ProfileFormFor me={me} />;
}

function ProfileFormFor({ me }: { me: Me }) {
  // Lives outside the keyed form, which is replaced by a fresh one after each save.
  const [saved, setSaved] = useState(false);
  // Keyed by the saved values, so a save (or a change from elsewhere) resets the form to what the server holds.
  return <ProfileForm key={`${me.displayName}|${me.bio}|${me.statusText}`} me={me} saved={saved} setSaved={setSaved} />;
}

function ProfileForm({ me, saved, setSaved }: { me: Me; saved: boolean; setSaved: (saved: boolean) => void }) {
  const [form, setForm] = useState({
    displayName: me.displayName ?? '',
    bio: me.bio ?? '',
    statusText: me.statusText ?? '',
  });
  const mutation = useUpdateProfileMutation();
  const error = mutation.error instanceof ApiError ? mutation.error : null;
  const changed = form.displayName !== (me.displayName ?? '') || form.bio !== (me.bio ?? '') || form.statusText !== (me.statusText ?? '');

  const set = (field: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    setSaved(false);
    setForm((current) => ({ ...current, [field]: event.target.value }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Every text field is sent: "" clears it on the server. The avatar (null: unchanged) has its own upload above.
    mutation.mutate(
      { displayName: form.displayName.trim(), bio: form.bio.trim(), avatarUrl: null, statusText: form.statusText.trim() },
      { onSuccess: () => setSaved(true) },
    );
  };

  const previewName = form.displayName.trim() || me.username;
  return (
    <>
      <SectionHeading title="Profile" description="How others see you across KamaChat." />
      <div className="mb-6 flex items-center gap-4 rounded-lg bg-side p-4 dark:bg-side-dark">
        <Avatar id={me.id} name={previewName} url={me.avatarUrl} size="lg" />
        <div className="min-w-0">
          <p className="truncate text-lg font-semibold">{previewName}</p>
          <p className="truncate text-sm text-zinc-600 dark:text-zinc-400">@{me.username}</p>
          {form.statusText.trim() && <p className="mt-1 truncate text-sm">{form.statusText.trim()}</p>}
        </div>
      </div>
      <section aria-labelledby="avatar-h" className="mb-6">
        <h3 id="avatar-h" className="mb-2 text-xs font-bold uppercase text-zinc-600 dark:text-zinc-400">
          Avatar
        </h3>
        <AvatarUpload me={me} name={previewName} />
      </section>
      <section aria-labelledby="banner-h" className="mb-6">
        <h3 id="banner-h" className="mb-2 text-xs font-bold uppercase text-zinc-600 dark:text-zinc-400">
          Banner
        </h3>
        <ProfileBannerUpload me={me} />
      </section>
      <form onSubmit={submit} noValidate className="flex flex-col gap-5">
        {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
        {saved && !mutation.isError && <Alert tone="success">Your profile was saved.</Alert>}
        <TextField
          label="Display name"
          name="displayName"
          maxLength={100}
          value={form.displayName}
          onChange={set('displayName')}
          hint="Shown instead of your username. Leave empty to use your username."
          error={error?.fieldError('displayName')}
        />
        <TextField
          label="Status"
          name="statusText"
          maxLength={128}
          value={form.statusText}
          onChange={set('statusText')}
          placeholder="What’s happening?"
          error={error?.fieldError('statusText')}
        />
        <TextAreaField
          label="About me"
          name="bio"
          rows={4}
          maxLength={BIO_MAX}
          value={form.bio}
          onChange={set('bio')}
          hint={`${form.bio.length}/${BIO_MAX} characters`}
          error={error?.fieldError('bio')}
        />
        <div className="flex gap-3">
          <Button type="submit" busy={mutation.isPending} disabled={!changed}>
            Save changes
          </Button>
          <Button
            variant="ghost"
            disabled={!changed || mutation.isPending}
            onClick={() =>
              setForm({
                displayName: me.displayName ?? '',
                bio: me.bio ?? '',
                statusText: me.statusText ?? '',
              })
            }
          >
            Reset
          </Button>
        </div>
      </form>
    </>
  );
}
