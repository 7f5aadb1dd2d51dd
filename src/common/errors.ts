// One error base for every plane. Each plane has a factory module (arm/errors.ts, entra/errors.ts, ...)
// that builds these with Azure's exact codes and messages; listeners turn them into the plane's wire body.

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
}

export interface AzureErrorInit {
  status: number;
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
  /** Extra response headers (WWW-Authenticate, Retry-After, ...). */
  headers?: Record<string, string>;
  /** Extra top-level fields for planes whose error body is not the ARM envelope (Entra). */
  body?: Record<string, unknown>;
}

export class AzureError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: ErrorDetail[];
  readonly headers: Record<string, string>;
  readonly body?: Record<string, unknown>;

  constructor(init: AzureErrorInit) {
    super(init.message);
    this.name = 'AzureError';
    this.status = init.status;
    this.code = init.code;
    this.target = init.target;
    this.details = init.details;
    this.headers = init.headers ?? {};
    this.body = init.body;
  }

  /** The ARM / Key Vault envelope: {"error":{"code","message","target?","details?"}}. */
  toEnvelope(): { error: ErrorDetail } {
    const error: ErrorDetail = { code: this.code, message: this.message };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isAzureError(e: unknown): e is AzureError {
  return e instanceof AzureError;
}
