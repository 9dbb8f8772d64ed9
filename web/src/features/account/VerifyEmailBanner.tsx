import { ApiError, errorMessage } from '../../api/errors';
import { useMe } from '../auth/queries';
import { useResendVerificationMutation } from './queries';
import { retryAfterText } from './twoFactor';

/** Across the top of the app while the account's email is unverified: why it matters, and a way to get a new link. */
export function VerifyEmailBanner() {
  const { data: me } = useMe();
  const resend = useResendVerificationMutation();
  if (!me || me.emailVerified) return null;

  const error = resend.error instanceof ApiError ? resend.error : null;
  const failure = resend.isError
    ? error?.code === 'rate_limited'
      ? `You’ve asked for several emails already. ${retryAfterText(error.retryAfterSeconds)}`
      : error?.code === 'email_already_verified'
        ? 'Your address is already verified. Reload the page.'
        : errorMessage(resend.error)
    : null;

  return (
    <section
      aria-label="Email verification"
      className="flex shrink-0 flex-wrap items-center gap-x-4 gap-y-2 bg-amber-100 px-4 py-2 text-sm text-amber-950 dark:bg-amber-900/40 dark:text-amber-100"
    >
      <p className="min-w-0 flex-1">
        <strong>Verify your email address.</strong> Open the link we emailed you: you need a verified address to send messages and join
        servers.
      </p>
      <button
        type="button"
        disabled={resend.isPending || resend.isSuccess}
        onClick={() => resend.mutate()}
        className="rounded-md bg-amber-950/10 px-3 py-1 font-medium hover:bg-amber-950/20 disabled:opacity-60 dark:bg-white/10 dark:hover:bg-white/20"
      >
        {resend.isPending ? 'Sending…' : 'Resend email'}
      </button>
      <p role="status" className={resend.isSuccess ? 'basis-full' : 'sr-only'}>
        {resend.isSuccess ? `We sent a new link to ${me.email}. It works for 24 hours.` : ''}
      </p>
      {failure && (
        <p role="alert" className="basis-full font-medium">
          {failure}
        </p>
      )}
    </section>
  );
}
