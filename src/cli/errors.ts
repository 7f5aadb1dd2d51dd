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

/** A detail of an error body (ARM's ODataV4 envelope): code, message, target and its own details. */
export interface ErrorDetail {
  code?: unknown;
  message?: unknown;
  target?: unknown;
  details?: unknown;
}

/**
 * An error answered by the server: Azure's code and message (ARM envelope or Entra's error body), with
 * the target and details when the body has them (a policy's element and line are in the details).
 */
export class AzureApiError extends CliError {
  constructor(readonly status: number, readonly code: string, message: string, readonly target?: string, readonly details: ErrorDetail[] = []) {
    super(message, 1);
    this.name = 'AzureApiError';
  }

  /**
   * As az prints an HttpResponseError (azure-core's ODataV4Format): `(Code) Message`, then the code and
   * message lines, the target and every detail ("Exception Details:").
   */
  override describe(): string {
    return `(${this.code}) ${this.message}\n${odataDetails(this.code, this.message, this.target, this.details)}`;
  }
}

function odataDetails(code: string, message: string, target: string | undefined, details: ErrorDetail[]): string {
  let s = `Code: ${code}\nMessage: ${message}`;
  if (target) s += `\nTarget: ${target}`;
  if (details.length > 0) {
    s += '\nException Details:';
    for (const d of details) {
      const inner = `(${String(d.code)}) ${String(d.message)}\n${odataDetails(String(d.code), String(d.message), typeof d.target === 'string' ? d.target : undefined, detailList(d.details))}`;
      s += inner.split('\n').map((line) => `\t${line}`).join('\n');
    }
  }
  return s;
}

const detailList = (v: unknown): ErrorDetail[] => (Array.isArray(v) ? v.filter((d): d is ErrorDetail => d !== null && typeof d === 'object') : []);

/**
 * Reads an error response body: ARM's `{"error":{"code","message","target","details"}}`, Entra's
 * `{"error","error_description"}`, or anything else (then the HTTP status stands in for the code).
 */
export function errorFromResponse(status: number, body: unknown, text: string): AzureApiError {
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const inner = b.error;
    if (inner !== null && typeof inner === 'object') {
      const e = inner as Record<string, unknown>;
      if (typeof e.code === 'string') {
        return new AzureApiError(status, e.code, typeof e.message === 'string' ? e.message : '', typeof e.target === 'string' ? e.target : undefined, detailList(e.details));
      }
    }
    if (typeof inner === 'string') {
      return new AzureApiError(status, inner, typeof b.error_description === 'string' ? b.error_description : '');
    }
  }
  const snippet = text.length > 300 ? `${text.slice(0, 300)}...` : text;
  return new AzureApiError(status, `HttpStatus${status}`, snippet || `The server answered ${status} without a body.`);
}
