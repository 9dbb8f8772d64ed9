import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { useChangePasswordMutation } from './queries';

/** Settings → Security: a new password; every other device is signed out, this one stays signed in. */
export function PasswordChangeForm() {
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' });
  const [saved, setSaved] = useState(false);
  const mutation = useChangePasswordMutation();
  const error = mutation.error instanceof ApiError ? mutation.error : null;
  const currentError = error?.code === 'invalid_password' ? 'That password is incorrect.' : error?.fieldError('currentPassword');
  const newError = error?.fieldError('newPassword');
  const banner = mutation.isError && !currentError && !newError ? errorMessage(mutation.error) : null;

  const set = (field: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) => {
    setSaved(false);
    setForm((current) => ({ ...current, [field]: event.target.value }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(form, {
      onSuccess: () => {
        setSaved(true);
        setForm({ currentPassword: '', newPassword: '' });
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Changing your password signs you out on every other device. You stay signed in here.
      </p>
      {banner && <Alert>{banner}</Alert>}
      {saved && <Alert tone="success">Your password was changed. Other devices were signed out.</Alert>}
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        value={form.currentPassword}
        onChange={set('currentPassword')}
        error={currentError}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        value={form.newPassword}
        onChange={set('newPassword')}
        error={newError}
        hint="At least 8 characters. A short phrase is easy to remember and hard to guess."
      />
      <div>
        <Button type="submit" busy={mutation.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
