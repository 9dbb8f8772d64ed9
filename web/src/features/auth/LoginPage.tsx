import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { AuthLayout } from './AuthLayout';
import { returnPath } from './guards';
import { useLogin } from './session';

export default function LoginPage() {
  usePageTitle('Log in');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const mutation = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const error = mutation.error instanceof ApiError ? mutation.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ login: login.trim(), password }, { onSuccess: () => navigate(returnPath(location.state), { replace: true }) });
  };

  return (
    <AuthLayout title="Welcome back!" subtitle="We’re so excited to see you again.">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        {mutation.isError && <Alert>{errorMessage(mutation.error)}</Alert>}
        <TextField
          label="Email or username"
          name="login"
          autoComplete="username"
          required
          autoFocus
          value={login}
          onChange={(e) => setLogin(e.target.value)}
          error={error?.fieldError('login')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error?.fieldError('password')}
        />
        <Button type="submit" busy={mutation.isPending} className="mt-2 w-full py-2.5">
          Log in
        </Button>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Need an account?{' '}
          <Link to="/signup" state={location.state} className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Sign up
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}
