import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { useChangeEmailMutation } from './queries';
import { useFocusOnChange } from './useFocusOnChange';

/** Settings → Account: asks for a new address and the password; nothing changes until the mailed link is opened. */
export function EmailChangeForm() {
  const [newEmail, setNewEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const mutation = useChangeEmailMutation();
  const statusRef = useFocusOnChange<HTMLDivElement>(sentTo);
  const error = mutation.error instanceof ApiError ? mutation.error : null;
  const passwordError = error?.code === 'invalid_password' ? 'That password is incorrect.' : error?.fieldError('password');
  const emailError = error?.fieldError('newEmail') ?? error?.fieldError('email');
  const banner = mutation.isError && !passwordError && !emailError ? errorMessage(mutation.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = newEmail.trim();
    mutation.mutate(
      { newEmail: address, password },
      {
        onSuccess: () => {
          setSentTo(address);
          setPassword('');
          setNewEmail('');
        },
      },
    );
  };

  if (sentTo) {
    return (
      <div ref={statusRef} tabIndex={-1} className="flex flex-col items-start gap-3 focus:outline-none">
        <Alert tone="success">
          Check your new inbox: we sent a confirmation link to <strong>{sentTo}</strong>. Your email address changes when you open it.
        </Alert>
        <Button
          variant="secondary"
          onClick={() => {
            mutation.reset();
            setSentTo(null);
          }}
        >
          Use a different address
        </Button>
      </div>
    );
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4" aria-labelledby="change-email-heading">
      {banner && <Alert>{banner}</Alert>}
      <TextField
        label="New email"
        name="newEmail"
        type="email"
        autoComplete="email"
        required
        value={newEmail}
        onChange={(e) => setNewEmail(e.target.value)}
        error={emailError}
      />
      <TextField
        label="Current password"
        name="emailPassword"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={passwordError}
        hint="To confirm it’s you."
      />
      <div>
        <Button type="submit" busy={mutation.isPending}>
          Send confirmation link
        </Button>
      </div>
    </form>
  );
}
