import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { tokenStore } from '../../api/client';
import { AuthLayout } from '../auth/AuthLayout';
import { setDeliberateSignOut } from '../auth/signOutIntent';
import { useConfirmPasswordResetMutation } from './queries';
import { retryAfterText } from './twoFactor';

/** /reset-password?userId=…&token=… — the link in the reset email: choose a new password, then log in. */
export default function ResetPasswordPage() {
  usePageTitle('Reset password');
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const mutation = useConfirmPasswordResetMutation();
  const navigate = useNavigate();
  const error = mutation.error instanceof ApiError ? mutation.error : null;

  if (!userId || !token) {
    return (
      <AuthLayout title="Reset your password" subtitle="Choose a new password for your account.">
        <div className="flex flex-col gap-4">
          <Alert>This link is incomplete. Open the link from the email again, or ask for a new one.</Alert>
          <Link to="/forgot-password" className="self-center font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Ask for a new link
          </Link>
        </div>
      </AuthLayout>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(
      { userId, token, newPassword: password },
      {
        onSuccess: () => {
          // The reset signed out every session of the account, this browser's too if it was signed in as it.
          if (tokenStore.get()?.userId === userId) {
            setDeliberateSignOut(true);
            tokenStore.clear();
          }
          void navigate('/login', { replace: true, state: { notice: 'Your password was changed. Log in with the new one.' } });
        },
      },
    );
  };

  const passwordError = error?.fieldError('newPassword');
  const spent = error?.code === 'invalid_token';
  const banner =
    mutation.isError && !passwordError
      ? spent
        ? 'This link is invalid, has expired or was already used.'
        : error?.code === 'rate_limited'
          ? `Too many attempts. ${retryAfterText(error.retryAfterSeconds)}`
          : errorMessage(mutation.error)
      : null;

  return (
    <AuthLayout title="Reset your password" subtitle="Choose a new password for your account. You’ll be signed out everywhere.">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        {banner && <Alert>{banner}</Alert>}
        {spent && (
          <Link to="/forgot-password" className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Ask for a new link
          </Link>
        )}
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
          hint="At least 8 characters. A short phrase is easy to remember and hard to guess."
        />
        <Button type="submit" busy={mutation.isPending} className="mt-2 w-full py-2.5">
          Change password
        </Button>
      </form>
    </AuthLayout>
  );
}
