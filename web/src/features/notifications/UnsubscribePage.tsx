import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { usePageTitle } from '../../ui/usePageTitle';
import { LinkResult } from '../account/LinkResult';
import { useOnce } from '../account/useFocusOnChange';
import { AuthLayout } from '../auth/AuthLayout';
import { useUnsubscribeMutation } from './queries';

/** /unsubscribe?token=… — the one-click link at the bottom of notification emails; works signed out. */
export default function UnsubscribePage() {
  usePageTitle('Unsubscribe');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const mutation = useUnsubscribeMutation();
  const { mutate } = mutation;
  useOnce(
    useCallback(() => {
      if (token) mutate(token);
    }, [mutate, token]),
  );

  const failure = !token
    ? 'This link is incomplete. Open the link from the email again.'
    : mutation.isError
      ? mutation.error instanceof ApiError && (mutation.error.code === 'invalid_token' || mutation.error.status === 400)
        ? 'This unsubscribe link is not valid. You can turn emails off in Settings → Notifications.'
        : errorMessage(mutation.error)
      : null;

  return (
    <AuthLayout title="Email notifications" subtitle="Unsubscribing from KamaChat emails.">
      <LinkResult
        pending={Boolean(token) && (mutation.isIdle || mutation.isPending)}
        busyLabel="Unsubscribing…"
        success={
          mutation.isSuccess ? 'You will no longer get email notifications. You can turn them back on in Settings → Notifications.' : null
        }
        failure={failure}
      />
    </AuthLayout>
  );
}
