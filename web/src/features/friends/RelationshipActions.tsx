import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../ui/Alert';
import { Button } from '../../ui/Button';
import { ConfirmDialog } from '../../ui/Dialog';
import { useRelationshipWith, useRemoveRelationshipMutation, useSetRelationshipMutation } from './queries';

/** On someone's profile: befriend, accept, cancel, unfriend, block or unblock them, as fits what they are to me. */
export function RelationshipActions({ userId, name }: { userId: string; name: string }) {
  const relationship = useRelationshipWith(userId);
  const set = useSetRelationshipMutation();
  const remove = useRemoveRelationshipMutation();
  const [confirm, setConfirm] = useState<'block' | 'unfriend' | null>(null);
  const error = set.error ?? remove.error;
  const busy = set.isPending || remove.isPending;
  const type = relationship?.type;

  return (
    <div className="mt-3 flex flex-col gap-2">
      <div className="flex flex-wrap gap-2">
        {type === undefined && (
          <Button variant="secondary" busy={busy} onClick={() => set.mutate({ userId, type: 'friend' })}>
            Add friend
          </Button>
        )}
        {type === 'outgoing' && (
          <Button variant="secondary" busy={busy} onClick={() => remove.mutate(userId)}>
            Cancel friend request
          </Button>
        )}
        {type === 'incoming' && (
          <>
            <Button busy={busy} onClick={() => set.mutate({ userId, type: 'friend' })}>
              Accept friend request
            </Button>
            <Button variant="secondary" disabled={busy} onClick={() => remove.mutate(userId)}>
              Decline
            </Button>
          </>
        )}
        {type === 'friend' && (
          <Button variant="secondary" disabled={busy} onClick={() => setConfirm('unfriend')}>
            Remove friend
          </Button>
        )}
        {type === 'blocked' ? (
          <Button variant="secondary" busy={busy} onClick={() => remove.mutate(userId)}>
            Unblock
          </Button>
        ) : (
          <Button variant="ghost" disabled={busy} onClick={() => setConfirm('block')}>
            Block
          </Button>
        )}
      </div>
      {error && <Alert>{errorMessage(error)}</Alert>}
      {confirm === 'block' && (
        <ConfirmDialog
          title={`Block ${name}?`}
          confirmLabel="Block"
          busy={busy}
          onClose={() => setConfirm(null)}
          onConfirm={() => set.mutate({ userId, type: 'blocked' }, { onSettled: () => setConfirm(null) })}
        >
          They will no longer be able to message you, add you to group DMs or send you friend requests, and you will stop being friends.
          Their messages in servers you share are hidden behind a “show” button. They are not told.
        </ConfirmDialog>
      )}
      {confirm === 'unfriend' && (
        <ConfirmDialog
          title={`Remove ${name} as a friend?`}
          confirmLabel="Remove friend"
          busy={busy}
          onClose={() => setConfirm(null)}
          onConfirm={() => remove.mutate(userId, { onSettled: () => setConfirm(null) })}
        >
          You can send them a friend request again later.
        </ConfirmDialog>
      )}
    </div>
  );
}
