import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert } from '../../ui/Alert';
import { Spinner } from '../../ui/Button';
import { useTokens } from '../auth/queries';

/** The outcome of opening an emailed link: working on it, done, or why it did not work. */
export function LinkResult({
  pending,
  success,
  failure,
  busyLabel,
}: {
  pending: boolean;
  success: ReactNode | null;
  failure: ReactNode | null;
  busyLabel: string;
}) {
  const tokens = useTokens();
  return (
    <div className="flex flex-col gap-4">
      {pending && <Spinner label={busyLabel} />}
      {success && <Alert tone="success">{success}</Alert>}
      {failure && <Alert>{failure}</Alert>}
      {!pending && (
        <Link to={tokens ? '/' : '/login'} className="self-center font-medium text-indigo-700 hover:underline dark:text-indigo-300">
          {tokens ? 'Continue to KamaChat' : 'Go to login'}
        </Link>
      )}
    </div>
  );
}
