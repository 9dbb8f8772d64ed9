/**
 * The pure parts of two-factor sign-in and setup: what a code looks like, what the login step sends, and
 * the recovery-code file. Kept free of React so they are unit-tested.
 */

export const TOTP_DIGITS = 6;

/** What an authenticator code field keeps of what was typed or pasted: digits only, at most six ("123 456" → "123456"). */
export function normalizeTotp(input: string): string {
  return input.replace(/\D/g, '').slice(0, TOTP_DIGITS);
}

export function isCompleteTotp(code: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code);
}

/** Recovery codes are shown in upper case with a dash ("ABCDE-12345"); spaces around them do not count. */
export function normalizeRecoveryCode(input: string): string {
  return input.trim().replace(/\s+/g, '').toUpperCase();
}

/** The server accepts recovery codes of 6..32 characters. */
export function isPlausibleRecoveryCode(code: string): boolean {
  return code.length >= 6 && code.length <= 32;
}

export type SecondFactor = { kind: 'code'; value: string } | { kind: 'recovery'; value: string };

/** A message for what is wrong with the second factor as typed, or null when it can be sent. */
export function secondFactorProblem(factor: SecondFactor): string | null {
  if (factor.kind === 'code') {
    const code = normalizeTotp(factor.value);
    return isCompleteTotp(code) ? null : 'Enter the 6-digit code from your authenticator app.';
  }
  return isPlausibleRecoveryCode(normalizeRecoveryCode(factor.value)) ? null : 'Enter one of your recovery codes.';
}

/** The second-factor part of POST /api/v1/auth/login/mfa and /2fa/disable: exactly one of code and recoveryCode is set. */
export function secondFactorBody(factor: SecondFactor): { code: string | null; recoveryCode: string | null } {
  return factor.kind === 'code'
    ? { code: normalizeTotp(factor.value), recoveryCode: null }
    : { code: null, recoveryCode: normalizeRecoveryCode(factor.value) };
}

/** What login answers when the account has 2FA on. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaTicket: string;
  expiresIn: number;
}

export function isMfaChallenge(result: unknown): result is MfaChallenge {
  const value = result as Partial<MfaChallenge> | null;
  return typeof value === 'object' && value !== null && value.mfaRequired === true && typeof value.mfaTicket === 'string';
}

/** The login page: first the password, then (with 2FA on) a code for the ticket the password earned. */
export type LoginStep = { step: 'password' } | { step: 'mfa'; ticket: string; expiresAt: number; useRecoveryCode: boolean };

export type LoginEvent = { type: 'challenged'; challenge: MfaChallenge; now: number } | { type: 'toggleRecovery' } | { type: 'restart' };

export function loginStep(state: LoginStep, event: LoginEvent): LoginStep {
  switch (event.type) {
    case 'challenged':
      return {
        step: 'mfa',
        ticket: event.challenge.mfaTicket,
        expiresAt: event.now + event.challenge.expiresIn * 1000,
        useRecoveryCode: false,
      };
    case 'toggleRecovery':
      return state.step === 'mfa' ? { ...state, useRecoveryCode: !state.useRecoveryCode } : state;
    case 'restart':
      return { step: 'password' };
  }
}

/** Codes after which the ticket is useless and the user has to enter the password again. */
export function ticketIsSpent(code: string | undefined): boolean {
  return code === 'invalid_mfa_ticket' || code === 'account_locked';
}

/** The text of the downloadable recovery-code file: what the codes are for, then one code a line. */
export function recoveryCodesFile(codes: readonly string[], account: string, created: Date): string {
  return [
    `KamaChat recovery codes for ${account}`,
    `Created ${created.toISOString().slice(0, 10)}`,
    '',
    'Each code signs you in once if you lose your authenticator app.',
    'Keep them somewhere safe. Generating new codes makes these stop working.',
    '',
    ...codes,
    '',
  ].join('\n');
}

export function recoveryCodesFileName(account: string): string {
  return `kamachat-recovery-codes-${account.replace(/[^A-Za-z0-9_.-]/g, '_')}.txt`;
}

/** "Try again in 45 seconds" / "in 3 minutes" / "in about 2 hours", for a Retry-After in seconds. */
export function retryAfterText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return 'Try again in a little while.';
  if (seconds < 60) return `Try again in ${Math.ceil(seconds)} ${Math.ceil(seconds) === 1 ? 'second' : 'seconds'}.`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
  const hours = Math.round(minutes / 60);
  return `Try again in about ${hours} ${hours === 1 ? 'hour' : 'hours'}.`;
}

/** The enrolment QR code as an image URL: the server's SVG is shown through <img>, never put into the page as markup. */
export function svgDataUri(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The setup key in groups of four, as authenticator apps show it ("JBSW Y3DP …"). */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
