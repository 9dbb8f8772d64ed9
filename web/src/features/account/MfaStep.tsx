import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { useLoginMfaMutation } from '../auth/queries';
import { CodeField, RecoveryCodeField } from './CodeField';
import { retryAfterText, secondFactorBody, secondFactorProblem, ticketIsSpent } from './twoFactor';

interface MfaStepProps {
  ticket: string;
  /** When the ticket runs out (ms since the epoch); after that only the password step can get a new one. */
  expiresAt: number;
  useRecoveryCode: boolean;
  onToggleRecovery: () => void;
  /** Back to the password (the ticket expired or was used up); the message says why, if there is a reason. */
  onRestart: (message?: string) => void;
  onSignedIn: () => void;
}

/** The second login step with 2FA on: a code from the authenticator app, or a recovery code. */
const TOO_SLOW = 'That sign-in took too long. Enter your password again.';

// Each mode's field mounts with autoFocus, so switching between code and recovery code lands on the new field.
export function MfaStep({ ticket, expiresAt, useRecoveryCode, onToggleRecovery, onRestart, onSignedIn }: MfaStepProps) {
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const mutation = useLoginMfaMutation();
  const error = mutation.error instanceof ApiError ? mutation.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const factor = useRecoveryCode ? { kind: 'recovery' as const, value: recoveryCode } : { kind: 'code' as const, value: code };
    const invalid = secondFactorProblem(factor);
    setProblem(invalid);
    if (invalid) return;
    if (Date.now() >= expiresAt) return onRestart(TOO_SLOW);
    mutation.mutate(
      { mfaTicket: ticket, ...secondFactorBody(factor) },
      {
        onSuccess: onSignedIn,
        onError: (failure) => {
          if (failure instanceof ApiError && ticketIsSpent(failure.code)) {
            onRestart(failure.code === 'account_locked' ? `${failure.message} ${retryAfterText(failure.retryAfterSeconds)}` : TOO_SLOW);
          }
        },
      },
    );
  };

  const message = error
    ? error.code === 'invalid_code'
      ? useRecoveryCode
        ? 'That recovery code is wrong or was already used.'
        : 'That code is wrong or expired. Enter the current code from your app.'
      : error.code === 'rate_limited'
        ? `Too many attempts. ${retryAfterText(error.retryAfterSeconds)}`
        : errorMessage(error)
    : null;

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-labelledby="mfa-heading">
      <div>
        <h2 id="mfa-heading" className="text-lg font-semibold">
          Two-factor authentication
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          {useRecoveryCode
            ? 'Enter one of the recovery codes you saved when you set up two-factor authentication.'
            : 'Open your authenticator app and enter the code it shows for KamaChat.'}
        </p>
      </div>
      {message && <Alert>{message}</Alert>}
      {useRecoveryCode ? (
        <RecoveryCodeField value={recoveryCode} onChange={setRecoveryCode} error={problem ?? undefined} autoFocus />
      ) : (
        <CodeField value={code} onChange={setCode} error={problem ?? undefined} autoFocus />
      )}
      <Button type="submit" busy={mutation.isPending} className="mt-2 w-full py-2.5">
        Verify and log in
      </Button>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button
          type="button"
          onClick={() => {
            setProblem(null);
            mutation.reset();
            onToggleRecovery();
          }}
          className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {useRecoveryCode ? 'Use your authenticator app' : 'Use a recovery code'}
        </button>
        <button type="button" onClick={() => onRestart()} className="font-medium text-zinc-700 hover:underline dark:text-zinc-300">
          Back to login
        </button>
      </div>
    </form>
  );
}
