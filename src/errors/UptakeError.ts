/**
 * The closed set of errors Uptake reports. Each code maps once to an HTTP status and a CLI exit
 * status; a user error's message names the file, line or field and what to do about it.
 */
export const ERROR_CODES = {
  INVALID_INPUT: { http: 400, exit: 1 },
  NOT_FOUND: { http: 404, exit: 1 },
  FORBIDDEN: { http: 403, exit: 1 },
  UNAUTHENTICATED: { http: 401, exit: 1 },
  CONFLICT: { http: 409, exit: 1 },
  TOO_LARGE: { http: 413, exit: 1 },
  RATE_LIMITED: { http: 429, exit: 1 },
  UNAVAILABLE: { http: 503, exit: 1 },
  BAD_INVOCATION: { http: 400, exit: 2 },
  INTERNAL: { http: 500, exit: 3 },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class UptakeError extends Error {
  readonly code: ErrorCode;
  /** For RATE_LIMITED and UNAVAILABLE: when to try again (the HTTP Retry-After header). */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.code = code;
    this.name = 'UptakeError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Shorthand for the most common user error. */
export function invalid(message: string): UptakeError {
  return new UptakeError('INVALID_INPUT', message);
}
