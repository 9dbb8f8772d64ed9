import { TextField } from '../../ui/Field';
import { normalizeTotp } from './twoFactor';

interface CodeFieldProps {
  label?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  autoFocus?: boolean;
  name?: string;
}

/** The 6-digit authenticator code: digits only, numeric keyboard on phones, and one-time-code autofill. */
export function CodeField({ label = 'Authentication code', value, onChange, error, autoFocus, name = 'code' }: CodeFieldProps) {
  return (
    <TextField
      label={label}
      name={name}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={7}
      placeholder="123456"
      spellCheck={false}
      autoFocus={autoFocus}
      value={value}
      onChange={(event) => onChange(normalizeTotp(event.target.value))}
      hint="The 6-digit code your authenticator app shows for KamaChat."
      error={error}
      className="font-mono tracking-[0.3em]"
    />
  );
}

/** A recovery code, as printed ("ABCDE-12345"). */
export function RecoveryCodeField({ value, onChange, error, autoFocus, name = 'recoveryCode' }: Omit<CodeFieldProps, 'label'>) {
  return (
    <TextField
      label="Recovery code"
      name={name}
      autoComplete="off"
      autoCapitalize="characters"
      spellCheck={false}
      maxLength={32}
      placeholder="ABCDE-12345"
      autoFocus={autoFocus}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      hint="One of the codes you saved when you turned on two-factor authentication. Each works once."
      error={error}
      className="font-mono"
    />
  );
}
