import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { AuthLayout } from './AuthLayout';
import { returnPath } from './guards';
import { useRegisterMutation } from './queries';

export default function SignupPage() {
  usePageTitle('Create an account');
  const [form, setForm] = useState({ email: '', username: '', password: '' });
  const mutation = useRegisterMutation();
  const navigate = useNavigate();
  const location = useLocation();
  const error = mutation.error instanceof ApiError ? mutation.error : null;
  // Field errors show under their inputs; the banner is for everything else.
  const hasFieldErrors = error !== null && Object.keys(error.fieldErrors).length > 0;

  const set = (field: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(
      { email: form.email.trim(), username: form.username.trim(), password: form.password },
      { onSuccess: () => navigate(returnPath(location.state), { replace: true }) },
    );
  };

  return (
    <AuthLayout title="Create an account" subtitle="Join your community on KamaChat.">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        {mutation.isError && (!hasFieldErrors || error?.code === 'validation_failed') && (
          <Alert>{hasFieldErrors ? 'Please fix the fields marked below.' : errorMessage(mutation.error)}</Alert>
        )}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          value={form.email}
          onChange={set('email')}
          error={error?.fieldError('email')}
        />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          required
          minLength={2}
          maxLength={32}
          hint="2–32 characters: letters, digits, '_' and '.'"
          value={form.username}
          onChange={set('username')}
          error={error?.fieldError('username')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters. A short phrase is easy to remember and hard to guess."
          value={form.password}
          onChange={set('password')}
          error={error?.fieldError('password')}
        />
        <Button type="submit" busy={mutation.isPending} className="mt-2 w-full py-2.5">
          Continue
        </Button>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Already have an account?{' '}
          <Link to="/login" state={location.state} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Log in
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
