import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { useSendFriendRequestMutation } from './queries';

/** Plain words for the refusals a friend request can meet; the server's own detail covers the rest. */
function requestError(error: unknown) {
  const code = (error as { code?: string }).code;
  if (code === 'user_not_found') return 'Nobody has that username. Check the spelling and try again.';
  if (code === 'friend_request_refused') return 'That user is not accepting friend requests from you.';
  if (code === 'cannot_friend_self') return 'That’s you! Enter someone else’s username.';
  return errorMessage(error);
}

/** Adds a friend by username, with the outcome said in words (and announced). */
export function AddFriendForm() {
  const [username, setUsername] = useState('');
  const send = useSendFriendRequestMutation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const name = username.trim().replace(/^@/, '');
    if (!name) return;
    send.mutate(name, { onSuccess: () => setUsername('') });
  };
  const done = send.data;
  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-label="Add friend">
      {/* On a phone the button goes under the field: beside it the field had room for "usernar". */}
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-48 flex-1">
          <TextField
            label="Add friend by username"
            placeholder="username"
            autoComplete="off"
            value={username}
            maxLength={32}
            onChange={(e) => {
              setUsername(e.target.value);
              if (send.isError || send.isSuccess) send.reset();
            }}
            error={send.isError ? requestError(send.error) : undefined}
          />
        </div>
        <Button type="submit" busy={send.isPending} disabled={!username.trim()}>
          Send friend request
        </Button>
      </div>
      {done && (
        <Alert tone="success">
          {done.type === 'friend' ? `You and @${done.user.username} are now friends.` : `Friend request sent to @${done.user.username}.`}
        </Alert>
      )}
    </form>
  );
}
