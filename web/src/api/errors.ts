/**
 * Every API failure becomes an ApiError: the server's RFC 9457 problem+json (with its stable `code` and
 * per-field `errors`), or a network failure, in one shape the UI can branch on and show.
 */
import type { components } from './schema';

/** The problem+json body the server sends: every problem carries a stable `code`, validation problems per-field `errors`. */
export type Problem = components['schemas']['HttpValidationProblemDetails'];

export type FieldErrors = Record<string, string[]>;

/** Codes whose meaning belongs to one form field (the server answers them as 409 conflicts, not field errors). */
const FIELD_OF_CODE: Record<string, string> = {
  username_taken: 'username',
  email_taken: 'email',
};

/** Plain-language messages for codes whose server wording is technical or absent. Otherwise the server's detail is shown. */
const MESSAGE_OF_CODE: Record<string, string> = {
  validation_failed: 'Some fields need attention.',
  malformed_request: 'Something went wrong sending that. Reload the page and try again.',
  internal_error: 'Something went wrong on our side. Try again in a moment.',
  network_error: 'Can’t reach KamaChat. Check your connection and try again.',
  token_expired: 'Your sign-in has expired. Sign in again.',
  session_revoked: 'You were signed out on this device. Sign in again.',
  invalid_token: 'Your sign-in is no longer valid. Sign in again.',
  unauthorized: 'Sign in to continue.',
  not_found: 'That could not be found.',
  rate_limited: 'That was a lot of requests. Wait a moment and try again.',
};

const OUR_WORDING = new Set(['validation_failed', 'malformed_request', 'internal_error']);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: FieldErrors;
  readonly retryAfterSeconds: number | undefined;
  readonly problem: Problem | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    fieldErrors?: FieldErrors;
    retryAfterSeconds?: number;
    problem?: Problem;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.fieldErrors = init.fieldErrors ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.problem = init.problem;
  }

  /** The messages for one field (the server's camelCase JSON name), if any. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors[field]?.join(' ');
  }

  static network(cause?: unknown): ApiError {
    const error = new ApiError({ status: 0, code: 'network_error', message: MESSAGE_OF_CODE.network_error! });
    if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
    return error;
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function defaultCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return 'error';
}

/** Maps an error response (status, parsed body, headers) to an ApiError. Pure, so it is unit-tested. */
export function toApiError(status: number, body: unknown, headers?: Headers): ApiError {
  const problem = isProblem(body) ? body : undefined;
  const code = typeof problem?.code === 'string' && problem.code ? problem.code : defaultCode(status);

  const fieldErrors: FieldErrors = {};
  if (problem?.errors && typeof problem.errors === 'object') {
    for (const [field, messages] of Object.entries(problem.errors)) {
      const list = (Array.isArray(messages) ? messages : [messages]).filter((m): m is string => typeof m === 'string');
      if (list.length > 0) fieldErrors[field] = list;
    }
  }
  const field = FIELD_OF_CODE[code];
  const detail = typeof problem?.detail === 'string' && problem.detail ? problem.detail : undefined;
  if (field && !fieldErrors[field]) fieldErrors[field] = [detail ?? 'This is already taken.'];

  // The server's detail is written for people; a few codes get our wording because theirs is technical.
  const message =
    (OUR_WORDING.has(code) ? MESSAGE_OF_CODE[code] : (detail ?? MESSAGE_OF_CODE[code])) ?? `Something went wrong (${status}). Try again.`;

  const retryHeader = headers?.get('Retry-After');
  const retryAfterSeconds =
    typeof problem?.retryAfterSeconds === 'number'
      ? problem.retryAfterSeconds
      : retryHeader && /^\d+$/.test(retryHeader)
        ? Number(retryHeader)
        : undefined;

  return new ApiError({ status, code, message, fieldErrors, retryAfterSeconds, problem });
}

/** A message to show for anything thrown: ApiErrors speak for themselves, anything else is unexpected. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something unexpected happened. Reload the page and try again.';
}
