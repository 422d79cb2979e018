import { redactShapes } from './lib/redact.js';

/**
 * Every error the SDK throws on purpose. `code` is stable (branch on it); `message` is for people.
 * Messages, `toString()` and `toJSON()` never contain a secret: text from servers is scrubbed before
 * it gets here and shapes of Latchkey secrets are scrubbed again here.
 */
export type LatchkeyErrorCode =
  | 'ERR_LATCHKEY_CONFIG'
  | 'ERR_LATCHKEY_AUTH'
  | 'ERR_LATCHKEY_API'
  | 'ERR_LATCHKEY_NETWORK'
  | 'ERR_LATCHKEY_TOKEN_STORE';

export class LatchkeyError extends Error {
  readonly code: LatchkeyErrorCode;

  constructor(code: LatchkeyErrorCode, message: string, options?: { cause?: unknown }) {
    super(redactShapes(message), options);
    this.code = code;
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Missing or contradictory options, environment or config file; unreadable token file. */
export class LatchkeyConfigError extends LatchkeyError {
  static readonly code = 'ERR_LATCHKEY_CONFIG' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_LATCHKEY_CONFIG', message, options);
  }
}

/** The token endpoint refused (RFC 6749 §5.2): wrong password or secret, dead refresh token, SSO enforced… */
export class LatchkeyAuthError extends LatchkeyError {
  static readonly code = 'ERR_LATCHKEY_AUTH' as const;
  /** The OAuth `error` code, e.g. `invalid_grant`, `invalid_client`; `invalid_response` when the answer was not OAuth. */
  readonly error: string;
  /** The server's `error_description`, scrubbed of secrets. */
  readonly error_description: string | undefined;
  /** HTTP status of the token endpoint's answer. */
  readonly status: number;
  /** Seconds, when the server throttled the request (429 Retry-After). */
  readonly retryAfter: number | undefined;
  /** The `grant_type` of the refused token request; undefined for revocation and introspection. */
  readonly grantType: string | undefined;

  constructor(init: {
    error: string;
    errorDescription?: string;
    status: number;
    retryAfter?: number;
    context?: string;
    grantType?: string;
  }) {
    const description = init.errorDescription === undefined ? undefined : redactShapes(init.errorDescription);
    super(
      'ERR_LATCHKEY_AUTH',
      `${init.context ?? 'token request failed'}: ${init.error}${description ? ` (${description})` : ''}`,
    );
    this.error = init.error;
    this.error_description = description;
    this.status = init.status;
    this.retryAfter = init.retryAfter;
    this.grantType = init.grantType;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, error_description: this.error_description, status: this.status };
  }
}

/** A Latchkey or resource API answered with an error: an RFC 9457 problem document or `{errorMessage}`. */
export class LatchkeyApiError extends LatchkeyError {
  static readonly code = 'ERR_LATCHKEY_API' as const;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  /** The problem type URI, when the API sent one. */
  readonly type: string | undefined;
  /**
   * The server's stable error code: a Latchkey problem's `code` (`client_revoked`, `not_found`…) or
   * a resource server's `errorCode` (`ERR_TOKEN_EXPIRED`…). Branch on it, never on `detail`.
   */
  readonly problemCode: string | undefined;
  /** Method and URL without query string. */
  readonly method: string;
  readonly url: string;

  constructor(init: {
    status: number;
    title: string;
    detail?: string;
    type?: string;
    problemCode?: string;
    method: string;
    url: string;
  }) {
    const detail = init.detail === undefined ? undefined : redactShapes(init.detail);
    super(
      'ERR_LATCHKEY_API',
      `${init.method} ${init.url} failed: ${init.status} ${init.title}${detail ? `: ${detail}` : ''}`,
    );
    this.status = init.status;
    this.title = init.title;
    this.detail = detail;
    this.type = init.type;
    this.problemCode = init.problemCode;
    this.method = init.method;
    this.url = init.url;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      title: this.title,
      detail: this.detail,
      type: this.type,
      problemCode: this.problemCode,
    };
  }
}

/** The server could not be reached or did not answer in time. */
export class LatchkeyNetworkError extends LatchkeyError {
  static readonly code = 'ERR_LATCHKEY_NETWORK' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_LATCHKEY_NETWORK', message, options);
  }
}

/**
 * A token file or profile could not be read, locked or written. When writing a rotated refresh token
 * fails, the previous one is already spent: the message says so.
 */
export class LatchkeyTokenStoreError extends LatchkeyError {
  static readonly code = 'ERR_LATCHKEY_TOKEN_STORE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_LATCHKEY_TOKEN_STORE', message, options);
  }
}
