// Errors from the public APIs, typed: Resource Manager's {"error":{"code","message","details"}}, Key
// Vault's (same shape) and Entra's {"error","error_description"}. A 403 AuthorizationFailed names the
// missing action and its scope (Azure's message: "... does not have authorization to perform action
// 'X' over scope 'Y' ..."), so the UI can say which permission, and which roles grant it, are missing.

export interface ErrorDetail { code: string; message: string; target?: string; details?: ErrorDetail[] }

export interface MissingPermission { action: string; scope: string }

export class AzureApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly target?: string,
  ) {
    super(message);
    this.name = 'AzureApiError';
  }

  /** The action and scope a 403 says are missing, when it says so. */
  get missingPermission(): MissingPermission | undefined {
    if (this.status !== 403) return undefined;
    const m = /perform action '([^']+)' over scope '([^']+)'/i.exec(this.message) ?? /it needs '([^']+)' over scope '([^']+)'/i.exec(this.message);
    return m ? { action: m[1], scope: m[2] } : undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function detail(v: unknown): ErrorDetail | undefined {
  if (!isRecord(v)) return undefined;
  const code = typeof v.code === 'string' ? v.code : undefined;
  const message = typeof v.message === 'string' ? v.message : undefined;
  if (code === undefined && message === undefined) return undefined;
  const details = Array.isArray(v.details) ? v.details.map(detail).filter((d): d is ErrorDetail => d !== undefined) : undefined;
  return { code: code ?? 'Error', message: message ?? '', target: typeof v.target === 'string' ? v.target : undefined, details };
}

/** The typed error of a failed response whose body was `body` (parsed JSON, or undefined). */
export function errorFromResponse(status: number, body: unknown, fallbackText: string): AzureApiError {
  if (isRecord(body)) {
    const inner = detail(body.error);
    if (inner) return new AzureApiError(status, inner.code, inner.message, inner.details ?? [], inner.target);
    // Entra: {"error":"invalid_grant","error_description":"AADSTS...: ..."}
    if (typeof body.error === 'string') {
      const description = typeof body.error_description === 'string' ? body.error_description : body.error;
      return new AzureApiError(status, body.error, description.replace(/\s*Trace ID:.*$/s, ''));
    }
    const top = detail(body);
    if (top) return new AzureApiError(status, top.code, top.message, top.details ?? [], top.target);
  }
  return new AzureApiError(status, `Http${status}`, fallbackText.trim() || `The request failed with status ${status}.`);
}

/** Any thrown value as an AzureApiError (network failures included). */
export function asAzureApiError(e: unknown): AzureApiError {
  if (e instanceof AzureApiError) return e;
  return new AzureApiError(0, 'NetworkError', e instanceof Error ? e.message : String(e));
}
