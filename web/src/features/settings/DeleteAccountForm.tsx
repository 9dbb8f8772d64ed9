import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { useDeleteAccountMutation } from '../auth/queries';

/**
 * Account deletion, confirmed with the password. Personal data goes; messages stay under "Deleted User".
 * The server refuses while the user owns servers (they must be transferred or deleted first).
 */
export function DeleteAccountForm() {
  const remove = useDeleteAccountMutation();
  const [password, setPassword] = useState('');
  const [sure, setSure] = useState(false);

  const code = remove.error instanceof ApiError ? remove.error.code : null;
  const passwordError = code === 'invalid_password' ? 'That password is not right.' : null;
  const otherError =
    remove.error && !passwordError
      ? code === 'owns_servers'
        ? 'You own servers. Transfer them to someone else or delete them first, then delete your account.'
        : errorMessage(remove.error)
      : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password && sure) remove.mutate(password);
  };

  return (
    <form onSubmit={submit} className="flex max-w-md flex-col gap-3" aria-labelledby="delete-account-heading">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Your profile, email and sessions are erased. Your messages stay, shown as from “Deleted User”. This cannot be undone.
      </p>
      <TextField
        label="Password to confirm"
        name="deletePassword"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={passwordError ?? undefined}
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} className="size-4 accent-red-700" />I understand
        my account is deleted for good.
      </label>
      {otherError && <Alert>{otherError}</Alert>}
      <Button type="submit" variant="danger" busy={remove.isPending} disabled={!password || !sure} className="self-start">
        Delete my account
      </Button>
    </form>
  );
}
