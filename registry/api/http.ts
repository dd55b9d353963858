/**
 * The framework-free shape of an HTTP exchange. Handlers take an `ApiRequest` and resolve
 * to an `ApiResponse` (`{ status, body }`); express appears only in registry/server.ts,
 * which turns its request into an `ApiRequest` and writes the `ApiResponse` back through
 * one `adapt()`. Tests can call handlers with plain objects.
 *
 * Encodings: `body` of a request is the raw bytes as received (the signature covers them),
 * or null when the route takes none; `headers` are lower-cased names; `target` is the
 * request target exactly as sent (path and query string), which signed requests sign.
 * @module
 */

/** An HTTP request as handlers see it. Every field is attacker-controlled. */
export interface ApiRequest {
  /** Upper-case method, e.g. "GET". */
  method: string;
  /** The path and query string as sent, e.g. "/v1/entries?start=0". */
  target: string;
  /** Route parameters by name (":seq" → params.seq), undecoded beyond URL decoding. */
  params: Record<string, string>;
  /** Query parameters; a repeated name gives an array. */
  query: Record<string, unknown>;
  /** Header values by lower-case name. */
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes, or null when the route reads no body. */
  body: Uint8Array | null;
  /** Who is asking, for rate limiting: the socket's remote address. */
  client: string;
}

/** A JSON response body, or text with its media type. */
export type ApiBody = { json: unknown } | { text: string; contentType: string };

/** What a handler answers. */
export interface ApiResponse {
  status: number;
  body: ApiBody;
  /** Extra headers (e.g. Retry-After, Allow). */
  headers?: Record<string, string>;
}

/** A framework-free handler. */
export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

/**
 * A JSON response.
 * @throws never
 * @example jsonResponse(200, { size: 3 })
 */
export function jsonResponse(status: number, value: unknown, headers?: Record<string, string>): ApiResponse {
  return { status, body: { json: value }, ...(headers ? { headers } : {}) };
}

/**
 * A text response (e.g. a checkpoint note, `text/plain; charset=utf-8`).
 * @throws never
 * @example textResponse(200, note, 'text/plain; charset=utf-8')
 */
export function textResponse(status: number, text: string, contentType: string, headers?: Record<string, string>): ApiResponse {
  return { status, body: { text, contentType }, ...(headers ? { headers } : {}) };
}

/**
 * One header value: the first if repeated, undefined if absent.
 * @throws never
 * @example headerValue(req.headers, 'canopy-nonce')
 */
export function headerValue(headers: ApiRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
