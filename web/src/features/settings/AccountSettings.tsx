import { errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button, Spinner } from '../../ui/Button';
import { usePageTitle } from '../../ui/usePageTitle';
import { EmailChangeForm } from '../account/EmailChangeForm';
import { useLogoutMutation, useMe } from '../auth/queries';
import { DeleteAccountForm } from './DeleteAccountForm';
import { SectionHeading } from './SettingsLayout';

export default function AccountSettings() {
  usePageTitle('Account settings');
  const { data: me, error } = useMe();
  const logout = useLogoutMutation();
  if (error) return <Alert>{errorMessage(error)}</Alert>;
  if (!me) return <Spinner label="Loading…" />;
  return (
    <>
      <SectionHeading title="My account" />
      <dl className="divide-y divide-zinc-200 rounded-lg bg-side px-4 dark:divide-zinc-700/60 dark:bg-side-dark">
        <div className="py-3">
          <dt className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Username</dt>
          <dd className="mt-1">@{me.username}</dd>
        </div>
        <div className="py-3">
          <dt className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Email</dt>
          <dd className="mt-1 flex flex-wrap items-center gap-2">
            <span>{me.email}</span>
            {me.emailVerified ? (
              <span className="rounded-full bg-emerald-500/15 px-2 py-0.5 text-xs font-medium text-emerald-700 dark:text-emerald-300">
                Verified
              </span>
            ) : (
              <span className="rounded-full bg-amber-500/15 px-2 py-0.5 text-xs font-medium text-amber-800 dark:text-amber-300">
                Not verified
              </span>
            )}
          </dd>
        </div>
        <div className="py-3">
          <dt className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Member since</dt>
          <dd className="mt-1">{new Date(me.createdAt).toLocaleDateString(undefined, { dateStyle: 'long' })}</dd>
        </div>
      </dl>
      <section aria-labelledby="change-email-heading" className="mt-8 flex flex-col gap-3">
        <h2 id="change-email-heading" className="text-base font-semibold">
          Change email
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          We’ll send a link to the new address. It becomes your email when you open it.
        </p>
        <EmailChangeForm />
      </section>
      <h2 className="mt-8 text-base font-semibold">Log out</h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Sign out of KamaChat on this device.</p>
      <Button variant="danger" className="mt-3" busy={logout.isPending} onClick={() => logout.mutate()}>
        Log out
      </Button>
      <section className="mt-10 flex flex-col gap-3 border-t border-zinc-200 pt-6 dark:border-zinc-700/60">
        <h2 id="delete-account-heading" className="text-base font-semibold text-red-700 dark:text-red-400">
          Delete account
        </h2>
        <DeleteAccountForm />
      </section>
    </>
  );
}
