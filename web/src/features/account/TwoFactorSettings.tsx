import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/errors';
import type { components } from '../../api/schema';
import { Alert } from '../../ui/Alert';
import { Button, Spinner } from '../../ui/Button';
import { TextField } from '../../ui/Field';
import { useMe } from '../auth/queries';
import {
  useConfirmTwoFactorMutation,
  useDisableTwoFactorMutation,
  useEnrollTwoFactorMutation,
  useRegenerateRecoveryCodesMutation,
  useTwoFactorStatus,
} from './queries';
import { CodeField, RecoveryCodeField } from './CodeField';
import { RecoveryCodes } from './RecoveryCodes';
import { groupSecret, isCompleteTotp, secondFactorBody, secondFactorProblem, svgDataUri } from './twoFactor';
import { useFocusOnChange } from './useFocusOnChange';

type Enrollment = components['schemas']['TwoFactorEnrollment'];

type Phase =
  | { name: 'status' }
  | { name: 'enroll'; enrollment: Enrollment }
  | { name: 'codes'; codes: string[] }
  | { name: 'regenerate' }
  | { name: 'disable' };

const codeMessage = (error: ApiError | null) =>
  error?.code === 'invalid_code' ? 'That code is wrong or expired. Enter the current code from your app.' : undefined;

/** Settings → Security: TOTP two-factor authentication, from setting it up to turning it off. */
export function TwoFactorSettings() {
  const status = useTwoFactorStatus();
  const me = useMe();
  const [phase, setPhase] = useState<Phase>({ name: 'status' });
  const [done, setDone] = useState<string | null>(null);
  const headingRef = useFocusOnChange<HTMLHeadingElement>(phase.name);
  const enroll = useEnrollTwoFactorMutation();
  const go = (next: Phase, message: string | null = null) => {
    setDone(message);
    setPhase(next);
  };

  const title = {
    status: 'Two-factor authentication',
    enroll: 'Set up two-factor authentication',
    codes: 'Your recovery codes',
    regenerate: 'New recovery codes',
    disable: 'Turn off two-factor authentication',
  }[phase.name];

  let body: React.ReactNode;
  if (status.isPending) body = <Spinner label="Loading…" />;
  else if (status.isError) body = <Alert>{errorMessage(status.error)}</Alert>;
  else if (phase.name === 'enroll') {
    body = (
      <EnrollStep
        enrollment={phase.enrollment}
        onCancel={() => go({ name: 'status' })}
        onConfirmed={(codes) => go({ name: 'codes', codes }, 'Two-factor authentication is on.')}
      />
    );
  } else if (phase.name === 'codes') {
    body = <RecoveryCodes codes={phase.codes} account={me.data?.username ?? 'account'} onDone={() => go({ name: 'status' }, done)} />;
  } else if (phase.name === 'regenerate') {
    body = (
      <RegenerateStep
        onCancel={() => go({ name: 'status' })}
        onDone={(codes) => go({ name: 'codes', codes }, 'New recovery codes were made; the old ones no longer work.')}
      />
    );
  } else if (phase.name === 'disable') {
    body = (
      <DisableStep onCancel={() => go({ name: 'status' })} onDone={() => go({ name: 'status' }, 'Two-factor authentication is off.')} />
    );
  } else if (status.data.enabled) {
    body = (
      <div className="flex flex-col gap-4">
        {done && <Alert tone="success">{done}</Alert>}
        <p className="text-sm">
          <span className="mr-2 rounded-full bg-emerald-500/15 px-2 py-0.5 text-xs font-medium text-emerald-700 dark:text-emerald-300">
            On
          </span>
          Signing in needs a code from your authenticator app. {status.data.recoveryCodesLeft} of 10 recovery codes left.
        </p>
        <div className="flex flex-wrap gap-3">
          <Button variant="secondary" onClick={() => go({ name: 'regenerate' })}>
            Generate new recovery codes
          </Button>
          <Button variant="danger" onClick={() => go({ name: 'disable' })}>
            Turn off
          </Button>
        </div>
      </div>
    );
  } else {
    body = (
      <div className="flex flex-col gap-4">
        {done && <Alert tone="success">{done}</Alert>}
        {enroll.isError && <Alert>{errorMessage(enroll.error)}</Alert>}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Off. With two-factor authentication, signing in also needs a code from an authenticator app on your phone, so a stolen password
          alone is not enough. Turning it on signs out your other devices.
        </p>
        <div>
          <Button
            busy={enroll.isPending}
            onClick={() => enroll.mutate(undefined, { onSuccess: (enrollment) => go({ name: 'enroll', enrollment }) })}
          >
            Set up two-factor authentication
          </Button>
        </div>
      </div>
    );
  }

  return (
    <section aria-labelledby="two-factor-heading" className="flex flex-col gap-3">
      <h2 id="two-factor-heading" ref={headingRef} tabIndex={-1} className="text-base font-semibold focus:outline-none">
        {title}
      </h2>
      {body}
    </section>
  );
}

function EnrollStep({
  enrollment,
  onCancel,
  onConfirmed,
}: {
  enrollment: Enrollment;
  onCancel: () => void;
  onConfirmed: (codes: string[]) => void;
}) {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const confirm = useConfirmTwoFactorMutation();
  const error = confirm.error instanceof ApiError ? confirm.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!isCompleteTotp(code)) return setProblem('Enter the 6-digit code from your authenticator app.');
    setProblem(undefined);
    confirm.mutate(code, { onSuccess: (result) => onConfirmed(result.recoveryCodes) });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm">
        <li>Open an authenticator app (such as Aegis, Google Authenticator or 1Password).</li>
        <li>Scan this QR code, or enter the setup key by hand.</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <div className="flex flex-wrap items-center gap-6">
        <img src={svgDataUri(enrollment.qrCodeSvg)} alt="QR code for your authenticator app" className="size-44 rounded-md bg-white p-2" />
        <div className="min-w-0 text-sm">
          <p className="text-xs font-bold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Setup key</p>
          <code data-testid="totp-secret" className="mt-1 block break-all font-mono text-base">
            {groupSecret(enrollment.secret)}
          </code>
          <a href={enrollment.otpauthUri} className="mt-2 inline-block font-medium text-indigo-700 hover:underline dark:text-indigo-300">
            Open in an authenticator app on this device
          </a>
        </div>
      </div>
      {confirm.isError && !codeMessage(error) && <Alert>{errorMessage(confirm.error)}</Alert>}
      <CodeField value={code} onChange={setCode} error={problem ?? codeMessage(error)} />
      <div className="flex flex-wrap gap-3">
        <Button type="submit" busy={confirm.isPending}>
          Turn on
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function RegenerateStep({ onCancel, onDone }: { onCancel: () => void; onDone: (codes: string[]) => void }) {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const regenerate = useRegenerateRecoveryCodesMutation();
  const error = regenerate.error instanceof ApiError ? regenerate.error : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!isCompleteTotp(code)) return setProblem('Enter the 6-digit code from your authenticator app.');
    setProblem(undefined);
    regenerate.mutate(code, { onSuccess: (result) => onDone(result.recoveryCodes) });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        New codes replace all your current recovery codes. Other devices are signed out.
      </p>
      {regenerate.isError && !codeMessage(error) && <Alert>{errorMessage(regenerate.error)}</Alert>}
      <CodeField value={code} onChange={setCode} error={problem ?? codeMessage(error)} />
      <div className="flex flex-wrap gap-3">
        <Button type="submit" busy={regenerate.isPending}>
          Generate new codes
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function DisableStep({ onCancel, onDone }: { onCancel: () => void; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const disable = useDisableTwoFactorMutation();
  const error = disable.error instanceof ApiError ? disable.error : null;
  const passwordError = error?.code === 'invalid_password' ? 'That password is incorrect.' : undefined;
  const factorError = error?.code === 'invalid_code' ? 'That code is wrong, expired or already used.' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const factor = useRecovery ? { kind: 'recovery' as const, value: recoveryCode } : { kind: 'code' as const, value: code };
    const invalid = secondFactorProblem(factor) ?? undefined;
    setProblem(invalid);
    if (invalid) return;
    disable.mutate({ password, ...secondFactorBody(factor) }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Signing in will need only your password. Your recovery codes stop working and other devices are signed out.
      </p>
      {disable.isError && !passwordError && !factorError && <Alert>{errorMessage(disable.error)}</Alert>}
      <TextField
        label="Password"
        name="disablePassword"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={passwordError}
      />
      {useRecovery ? (
        <RecoveryCodeField value={recoveryCode} onChange={setRecoveryCode} error={problem ?? factorError} />
      ) : (
        <CodeField value={code} onChange={setCode} error={problem ?? factorError} />
      )}
      <button
        type="button"
        onClick={() => {
          setProblem(undefined);
          setUseRecovery(!useRecovery);
        }}
        className="self-start text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300"
      >
        {useRecovery ? 'Use your authenticator app' : 'Use a recovery code'}
      </button>
      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="danger" busy={disable.isPending}>
          Turn off two-factor authentication
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
