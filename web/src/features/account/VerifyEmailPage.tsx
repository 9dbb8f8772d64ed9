import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { usePageTitle } from '../../ui/usePageTitle';
import { AuthLayout } from '../auth/AuthLayout';
import { useVerifyEmailMutation } from './queries';
import { LinkResult } from './LinkResult';
import { useOnce } from './useFocusOnChange';

/** /verify-email?userId=…&token=… — the link in the verification email. */
export default function VerifyEmailPage() {
  usePageTitle('Verify email');
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const token = params.get('token') ?? '';
  const mutation = useVerifyEmailMutation();
  const complete = Boolean(userId && token);
  const { mutate } = mutation;
  useOnce(
    useCallback(() => {
      if (complete) mutate({ userId, token });
    }, [complete, mutate, userId, token]),
  );

  const failure = !complete
    ? 'This link is incomplete. Open the link from the email again, or copy all of it into the address bar.'
    : mutation.isError
      ? mutation.error instanceof ApiError && mutation.error.code === 'invalid_token'
        ? 'This link is invalid, has expired or was already used. Sign in and ask for a new verification email.'
        : errorMessage(mutation.error)
      : null;

  return (
    <AuthLayout title="Verify your email" subtitle="Confirming the address you signed up with.">
      <LinkResult
        pending={complete && (mutation.isIdle || mutation.isPending)}
        busyLabel="Verifying…"
        success={
          mutation.isSuccess ? (
            <>
              Your email address <strong>{mutation.data.email}</strong> is verified.
            </>
          ) : null
        }
        failure={failure}
      />
    </AuthLayout>
  );
}
