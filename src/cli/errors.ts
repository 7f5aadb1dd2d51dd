// Errors of the command line. Each carries its exit code; the action wrapper prints them as az does
// (`ERROR: ...` on stderr) and exits with that code.

/** A failure with a message for the user; exit code 1 unless given. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }

  /** The text after `ERROR: `. */
  describe(): string {
    return this.message;
  }
}

/** Wrong or missing arguments: exit code 2, as az (argparse) does. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** An error answered by the server: Azure's code and message (ARM envelope or Entra's error body). */
export class AzureApiError extends CliError {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message, 1);
    this.name = 'AzureApiError';
  }

  /** As az prints an HttpResponseError: `(Code) Message`, then the code and message lines. */
  override describe(): string {
    return `(${this.code}) ${this.message}\nCode: ${this.code}\nMessage: ${this.message}`;
  }
}

/**
 * Reads an error response body: ARM's `{"error":{"code","message"}}`, Entra's `{"error","error_description"}`,
 * or anything else (then the HTTP status stands in for the code).
 */
export function errorFromResponse(status: number, body: unknown, text: string): AzureApiError {
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const inner = b.error;
    if (inner !== null && typeof inner === 'object') {
      const e = inner as Record<string, unknown>;
      if (typeof e.code === 'string') return new AzureApiError(status, e.code, typeof e.message === 'string' ? e.message : '');
    }
    if (typeof inner === 'string') {
      return new AzureApiError(status, inner, typeof b.error_description === 'string' ? b.error_description : '');
    }
  }
  const snippet = text.length > 300 ? `${text.slice(0, 300)}...` : text;
  return new AzureApiError(status, `HttpStatus${status}`, snippet || `The server answered ${status} without a body.`);
}
