import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { usePageTitle } from '../../ui/usePageTitle';
import { AuthLayout } from '../auth/AuthLayout';
import { useConfirmEmailChangeMutation } from './queries';
import { LinkResult } from './LinkResult';
import { useOnce } from './useFocusOnChange';

/** /confirm-email-change?userId=…&newEmail=…&token=… — the link mailed to the new address. */
export default function ConfirmEmailChangePage() {
  usePageTitle('Confirm new email');
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const newEmail = params.get('newEmail') ?? '';
  const token = params.get('token') ?? '';
  const mutation = useConfirmEmailChangeMutation();
  const complete = Boolean(userId && newEmail && token);
  const { mutate } = mutation;
  useOnce(
    useCallback(() => {
      if (complete) mutate({ userId, newEmail, token });
    }, [complete, mutate, userId, newEmail, token]),
  );

  const code = mutation.error instanceof ApiError ? mutation.error.code : undefined;
  const failure = !complete
    ? 'This link is incomplete. Open the link from the email again, or copy all of it into the address bar.'
    : mutation.isError
      ? code === 'invalid_token'
        ? 'This link is invalid, has expired or was already used. Ask for the change again in Settings → Account.'
        : code === 'email_taken'
          ? 'Another account now uses this address, so it cannot become yours.'
          : errorMessage(mutation.error)
      : null;

  return (
    <AuthLayout title="Confirm your new email" subtitle="Changing the address on your account.">
      <LinkResult
        pending={complete && (mutation.isIdle || mutation.isPending)}
        busyLabel="Confirming…"
        success={
          mutation.isSuccess ? (
            <>
              Your email address is now <strong>{mutation.data.email}</strong>.
            </>
          ) : null
        }
        failure={failure}
      />
    </AuthLayout>
  );
}
