// API Management's own answers (not the backend's): bodies and statuses as the managed gateway sends them.
import type { ServerResponse } from 'node:http';

const json = (statusCode: number, message: string) => JSON.stringify({ statusCode, message });

export const NOT_FOUND = json(404, 'Resource not found');
export const MISSING_KEY = json(401, 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.');
export const INVALID_KEY = json(401, 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.');
/** A path whose dot segments climb above the root (`/echo/../../admin`). */
export const BAD_PATH = json(400, 'Bad Request: the path climbs above the root.');
export const TRACE_HTTPS_ONLY = json(403, 'Traces are served over HTTPS only.');
export const internalError = (activityId: string) => JSON.stringify({ statusCode: 500, message: 'Internal server error', activityId });

export function sendAnswer(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
