import { describe, expect, it } from 'vitest';
import {
  isCompleteTotp,
  isMfaChallenge,
  loginStep,
  normalizeRecoveryCode,
  normalizeTotp,
  recoveryCodesFile,
  recoveryCodesFileName,
  retryAfterText,
  secondFactorBody,
  secondFactorProblem,
  ticketIsSpent,
  svgDataUri,
  groupSecret,
  type LoginStep,
} from './twoFactor';

describe('authenticator code input', () => {
  it('keeps only digits, at most six, so pasted "123 456" works', () => {
    expect(normalizeTotp('123 456')).toBe('123456');
    expect(normalizeTotp('12-34-56-78')).toBe('123456');
    expect(normalizeTotp('abc')).toBe('');
  });

  it('is complete with exactly six digits', () => {
    expect(isCompleteTotp('123456')).toBe(true);
    expect(isCompleteTotp('12345')).toBe(false);
    expect(isCompleteTotp('12345a')).toBe(false);
  });

  it('explains what is missing before anything is sent', () => {
    expect(secondFactorProblem({ kind: 'code', value: '123' })).toMatch(/6-digit code/);
    expect(secondFactorProblem({ kind: 'code', value: '123 456' })).toBeNull();
    expect(secondFactorProblem({ kind: 'recovery', value: ' ab ' })).toMatch(/recovery codes/);
    expect(secondFactorProblem({ kind: 'recovery', value: 'abcde-12345' })).toBeNull();
  });
});

describe('second factor body', () => {
  it('sends exactly one of code and recoveryCode', () => {
    expect(secondFactorBody({ kind: 'code', value: ' 123 456 ' })).toEqual({ code: '123456', recoveryCode: null });
    expect(secondFactorBody({ kind: 'recovery', value: ' abcde-12345\n' })).toEqual({ code: null, recoveryCode: 'ABCDE-12345' });
  });

  it('normalizes recovery codes to the printed form', () => {
    expect(normalizeRecoveryCode(' x7k2p - q9d4m ')).toBe('X7K2P-Q9D4M');
  });
});

describe('login steps', () => {
  const challenge = { mfaRequired: true as const, mfaTicket: 'ticket-0123456789abcdef', expiresIn: 300 };

  it('recognizes the 2FA challenge and not tokens', () => {
    expect(isMfaChallenge(challenge)).toBe(true);
    expect(isMfaChallenge({ accessToken: 'a', refreshToken: 'b' })).toBe(false);
    expect(isMfaChallenge(null)).toBe(false);
  });

  it('moves from password to the code step with the ticket and its expiry', () => {
    const next = loginStep({ step: 'password' }, { type: 'challenged', challenge, now: 1_000 });
    expect(next).toEqual({ step: 'mfa', ticket: challenge.mfaTicket, expiresAt: 301_000, useRecoveryCode: false });
  });

  it('toggles between authenticator and recovery code, and goes back to the password', () => {
    let state: LoginStep = loginStep({ step: 'password' }, { type: 'challenged', challenge, now: 0 });
    state = loginStep(state, { type: 'toggleRecovery' });
    expect(state).toMatchObject({ step: 'mfa', useRecoveryCode: true });
    state = loginStep(state, { type: 'toggleRecovery' });
    expect(state).toMatchObject({ useRecoveryCode: false });
    expect(loginStep(state, { type: 'restart' })).toEqual({ step: 'password' });
    expect(loginStep({ step: 'password' }, { type: 'toggleRecovery' })).toEqual({ step: 'password' });
  });

  it('knows when the ticket cannot be used again', () => {
    expect(ticketIsSpent('invalid_mfa_ticket')).toBe(true);
    expect(ticketIsSpent('account_locked')).toBe(true);
    expect(ticketIsSpent('invalid_code')).toBe(false);
  });
});

describe('recovery code file', () => {
  it('explains the codes and lists one a line', () => {
    const text = recoveryCodesFile(['AAAAA-11111', 'BBBBB-22222'], 'ava', new Date('2026-11-25T18:00:00Z'));
    expect(text).toBe(
      [
        'KamaChat recovery codes for ava',
        'Created 2026-11-25',
        '',
        'Each code signs you in once if you lose your authenticator app.',
        'Keep them somewhere safe. Generating new codes makes these stop working.',
        '',
        'AAAAA-11111',
        'BBBBB-22222',
        '',
      ].join('\n'),
    );
  });

  it('has a safe file name', () => {
    expect(recoveryCodesFileName('ava.b_1')).toBe('kamachat-recovery-codes-ava.b_1.txt');
    expect(recoveryCodesFileName('a/b c')).toBe('kamachat-recovery-codes-a_b_c.txt');
  });
});

describe('Retry-After in words', () => {
  it('says seconds, minutes or hours', () => {
    expect(retryAfterText(1)).toBe('Try again in 1 second.');
    expect(retryAfterText(45)).toBe('Try again in 45 seconds.');
    expect(retryAfterText(60)).toBe('Try again in 1 minute.');
    expect(retryAfterText(61)).toBe('Try again in 2 minutes.');
    expect(retryAfterText(900)).toBe('Try again in 15 minutes.');
    expect(retryAfterText(3600)).toBe('Try again in about 1 hour.');
    expect(retryAfterText(undefined)).toBe('Try again in a little while.');
  });
});

describe('enrolment display', () => {
  it('turns the SVG into a base64 image URL that decodes back to the same markup', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>';
    const uri = svgDataUri(svg);
    expect(uri.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(uri.split(',')[1]!), (c) => c.charCodeAt(0)));
    expect(decoded).toBe(svg);
  });

  it('groups the setup key by four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });
});
