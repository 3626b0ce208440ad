// The one error type of the platform: a stable code from API.md's table, mapped to HTTP in one place.

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_SHARE_LINK: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  OUT_OF_STOCK: 409,
  GROUP_BUY_CLOSED: 409,
  PICKUP_POINT_FULL: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** Response headers that belong to this answer (`Retry-After` of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export const validationError = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);

export const conflict = (message: string) => new AppError('CONFLICT', message);

export const forbidden = (message = 'Not allowed') => new AppError('FORBIDDEN', message);

/** 429 with `Retry-After` in whole seconds (at least 1, so a client never retries at once). */
export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests; try again later') =>
  new AppError('RATE_LIMITED', message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
