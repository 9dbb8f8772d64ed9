import { useReducer, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { usePageTitle } from '../../ui/usePageTitle';
import { MfaStep } from '../account/MfaStep';
import { isMfaChallenge, loginStep, retryAfterText } from '../account/twoFactor';
import { AuthLayout } from './AuthLayout';
import { returnPath } from './guards';
import { useLoginMutation } from './queries';

export default function LoginPage() {
  usePageTitle('Log in');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [step, dispatch] = useReducer(loginStep, { step: 'password' });
  const [notice, setNotice] = useState<string | null>(null);
  const mutation = useLoginMutation();
  const navigate = useNavigate();
  const location = useLocation();
  // A page that sent us here with news (the password was reset) says so above the form.
  const arrivalNotice = (location.state as { notice?: unknown } | null)?.notice;
  const error = mutation.error instanceof ApiError ? mutation.error : null;
  const signedIn = () => void navigate(returnPath(location.state), { replace: true });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    mutation.mutate(
      { login: login.trim(), password },
      {
        onSuccess: (result) => {
          if (isMfaChallenge(result)) dispatch({ type: 'challenged', challenge: result, now: Date.now() });
          else signedIn();
        },
      },
    );
  };

  if (step.step === 'mfa') {
    return (
      <AuthLayout title="Welcome back!" subtitle="One more step to sign in.">
        <MfaStep
          ticket={step.ticket}
          expiresAt={step.expiresAt}
          useRecoveryCode={step.useRecoveryCode}
          onToggleRecovery={() => dispatch({ type: 'toggleRecovery' })}
          onRestart={(message) => {
            mutation.reset();
            setPassword('');
            setNotice(message ?? null);
            dispatch({ type: 'restart' });
          }}
          onSignedIn={signedIn}
        />
      </AuthLayout>
    );
  }

  const failure = mutation.isError
    ? error && (error.code === 'account_locked' || error.code === 'rate_limited')
      ? `${errorMessage(error)} ${retryAfterText(error.retryAfterSeconds)}`
      : errorMessage(mutation.error)
    : notice;

  return (
    <AuthLayout title="Welcome back!" subtitle="We’re so excited to see you again.">
      <form onSubmit={submit} noValidate className="flex flex-col gap-4">
        {failure && <Alert>{failure}</Alert>}
        {!failure && typeof arrivalNotice === 'string' && <Alert tone="success">{arrivalNotice}</Alert>}
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
        <Link to="/forgot-password" className="-mt-2 self-start text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          Forgot your password?
        </Link>
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
