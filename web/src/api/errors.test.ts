import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, toApiError } from './errors';

describe('toApiError', () => {
  it('keeps the code and per-field errors of a validation problem, with a plain-language summary', () => {
    const error = toApiError(400, {
      status: 400,
      title: 'One or more validation errors occurred.',
      code: 'validation_failed',
      errors: { password: ['This password is too common; choose one that is harder to guess.'], email: ['Enter a valid email address.'] },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('Some fields need attention.');
    expect(error.fieldError('password')).toBe('This password is too common; choose one that is harder to guess.');
    expect(error.fieldError('email')).toBe('Enter a valid email address.');
    expect(error.fieldError('username')).toBeUndefined();
  });

  it('shows the server detail for a coded problem', () => {
    const error = toApiError(401, { status: 401, detail: 'The login or password is incorrect.', code: 'invalid_credentials' });
    expect(error.code).toBe('invalid_credentials');
    expect(error.message).toBe('The login or password is incorrect.');
    expect(error.fieldErrors).toEqual({});
  });

  it('puts a taken username or email under its field', () => {
    const username = toApiError(409, { status: 409, detail: 'This username is taken.', code: 'username_taken' });
    expect(username.fieldError('username')).toBe('This username is taken.');
    const email = toApiError(409, { status: 409, detail: 'An account with this email address already exists.', code: 'email_taken' });
    expect(email.fieldError('email')).toBe('An account with this email address already exists.');
  });

  it('reads the lockout delay from the body or the Retry-After header', () => {
    const fromBody = toApiError(429, { code: 'account_locked', detail: 'Locked.', retryAfterSeconds: 900 });
    expect(fromBody.retryAfterSeconds).toBe(900);
    const fromHeader = toApiError(429, { code: 'rate_limited' }, new Headers({ 'Retry-After': '30' }));
    expect(fromHeader.retryAfterSeconds).toBe(30);
  });

  it('never shows internal wording for server errors', () => {
    const error = toApiError(500, { code: 'internal_error', detail: 'NullReferenceException at …' });
    expect(error.message).toBe('Something went wrong on our side. Try again in a moment.');
  });

  it('derives a code from the status when the body is not a problem', () => {
    expect(toApiError(404, undefined).code).toBe('not_found');
    expect(toApiError(502, '<html>Bad gateway</html>').code).toBe('internal_error');
    expect(toApiError(418, null).message).toBe('Something went wrong (418). Try again.');
  });

  it('ignores malformed field error entries', () => {
    const error = toApiError(400, { code: 'validation_failed', errors: { bio: 'too long', name: [1, 'Too short.'] } });
    expect(error.fieldError('bio')).toBe('too long');
    expect(error.fieldError('name')).toBe('Too short.');
  });
});

describe('errorMessage', () => {
  it('explains network failures and hides unexpected exceptions', () => {
    expect(errorMessage(ApiError.network(new TypeError('Failed to fetch')))).toMatch(/Can’t reach KamaChat/);
    expect(errorMessage(new Error('x is undefined'))).toBe('Something unexpected happened. Reload the page and try again.');
  });
});
