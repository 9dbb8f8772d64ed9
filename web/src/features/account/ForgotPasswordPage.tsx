import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { AuthLayout } from '../auth/AuthLayout';
import { useRequestPasswordResetMutation } from './queries';
import { retryAfterText } from './twoFactor';
import { useFocusOnChange } from './useFocusOnChange';

/** /forgot-password — asks for a reset link. The answer never tells whether the address has an account. */
export default function ForgotPasswordPage() {
  usePageTitle('Forgot password');
  const [email, setEmail] = useState('');
  const mutation = useRequestPasswordResetMutation();
  const statusRef = useFocusOnChange<HTMLDivElement>(mutation.isSuccess);
  const error = mutation.error instanceof ApiError ? mutation.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ email: email.trim() });
  };

  if (mutation.isSuccess) {
    return (
      <AuthLayout title="Check your email" subtitle="Reset your password from the link we send.">
        <div ref={statusRef} tabIndex={-1} className="flex flex-col gap-4 focus:outline-none">
          <Alert tone="success">
            If an account uses <strong>{mutation.variables.email}</strong>, we’ve sent it a link to reset the password. The link works once,
            for one hour. Check your spam folder if it doesn’t arrive.
          </Alert>
          <Link to="/login" className="self-center font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Back to login
          </Link>
        </div>
      </AuthLayout>
    );
  }

  const emailError = error?.fieldError('email');
  const banner =
    mutation.isError && !emailError
      ? error?.code === 'rate_limited'
        ? `Too many requests. ${retryAfterText(error.retryAfterSeconds)}`
        : errorMessage(mutation.error)
      : null;

  return (
    <AuthLayout title="Forgot your password?" subtitle="Enter your email and we’ll send you a link to choose a new one.">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        {banner && <Alert>{banner}</Alert>}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={emailError}
        />
        <Button type="submit" busy={mutation.isPending} className="mt-2 w-full py-2.5">
          Send reset link
        </Button>
        <Link to="/login" className="text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          Back to login
        </Link>
      </form>
    </AuthLayout>
  );
}
