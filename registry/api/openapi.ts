/**
 * The OpenAPI 3.1 document of the registry API, generated from the route table
 * (routes.ts) and its zod schemas (schemas.ts, converted with zod's `toJSONSchema`, JSON
 * Schema 2020-12, which OpenAPI 3.1 uses). Every route of the table appears once, under its
 * path with `:name` rewritten to `{name}`; beside them only the path items given as
 * `extraPaths` (the registry's tiles, history and follow routes, which are served in front
 * of the table: registry/tiles/log-read-openapi.ts).
 *
 * Each operation lists its parameters (one per member of its query and path schemas), its
 * request body, its success response and the error responses it may give: the route's own
 * codes plus those its features imply (a query → INVALID_QUERY, a body → BODY_NOT_JSON,
 * INVALID_BODY, BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, signed → AUTH_*, TIMESTAMP_STALE,
 * SIGNATURE_INVALID, NONCE_REPLAYED, KEY_*; every route → RATE_LIMITED, INTERNAL,
 * UNAVAILABLE). Error bodies all have the `Error` schema.
 * @module
 */
import * as z from 'zod';
import { REJECT_REASONS } from '../log/rejection.ts';
import { API_ERRORS, type ApiErrorCode, rejectionStatus } from './api-error.ts';
import { HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP } from './request-signature.ts';
import type { Route } from './routes.ts';
import { errorBodySchema } from './schemas.ts';

/** Document metadata. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** Options of `openApiDocument`. */
export interface OpenApiOptions {
  /**
   * Path items of routes served outside the table (the tiles, history and follow routes,
   * registry/tiles/log-read-openapi.ts), added as given; a path the table has too is a bug.
   */
  extraPaths?: Record<string, JsonObject>;
}

type JsonObject = Record<string, unknown>;

/**
 * The OpenAPI path of an express path: ":name" → "{name}".
 * @example openApiPath('/v1/entries/:seq') // '/v1/entries/{seq}'
 */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/**
 * Builds the document.
 * @throws {Error} if two routes share a method and path (a bug in the table)
 * @example openApiDocument(ROUTES, { title: 'Canopy registry', version: '1' }, { extraPaths: logReadPaths() }).paths['/v1/entries']
 */
export function openApiDocument(routes: readonly Route[], info: OpenApiInfo, options: OpenApiOptions = {}): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method] !== undefined) throw new Error(`canopy: bad math in openApiDocument: ${route.method} ${route.path} twice`);
    item[method] = operation(route);
  }
  for (const [path, item] of Object.entries(options.extraPaths ?? {})) {
    if (paths[path] !== undefined) throw new Error(`canopy: bad math in openApiDocument: ${path} is in the route table and among the extra paths`);
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: {
        canopySignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Canopy-Signature',
          description:
            `Ed25519 signature over "canopy-request/v1\\n METHOD\\n target\\n sha256(body) hex\\n timestamp\\n nonce\\n key id\\n" (docs/registry-api.md), ` +
            `with the ${HEADER_KEY_ID}, ${HEADER_TIMESTAMP} and ${HEADER_NONCE} headers beside it.`,
        },
      },
    },
  };
}

function operation(route: Route): JsonObject {
  const op: JsonObject = { operationId: route.operationId, summary: route.summary, tags: [route.tag] };
  const parameters: JsonObject[] = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
  if (route.auth !== 'public') {
    for (const h of [HEADER_KEY_ID, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE]) parameters.push({ name: h, in: 'header', required: true, schema: { type: 'string' } });
    op.security = [{ canopySignature: [] }];
    op['x-canopy-auth'] = route.auth;
  }
  if (parameters.length > 0) op.parameters = parameters;
  if (route.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
  const responses: JsonObject = {
    [String(route.response.status)]: {
      description: route.response.description,
      content: 'schema' in route.response ? { 'application/json': { schema: jsonSchema(route.response.schema, 'output') } } : { [route.response.text]: { schema: { type: 'string' } } },
    },
  };
  const byStatus = new Map<number, string[]>();
  for (const code of errorCodes(route)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = { description: `error: ${codes.join(', ')}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  op.responses = responses;
  return op;
}

function errorCodes(route: Route): string[] {
  const codes = new Set<string>(route.errors);
  if (route.query !== undefined) codes.add('INVALID_QUERY');
  if (route.params !== undefined) codes.add('INVALID_PARAMS');
  if (route.body !== undefined) for (const c of ['BODY_NOT_JSON', 'INVALID_BODY', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']) codes.add(c);
  if (route.auth !== 'public') for (const c of ['AUTH_MISSING', 'AUTH_MALFORMED', 'TIMESTAMP_STALE', 'SIGNATURE_INVALID', 'NONCE_REPLAYED', 'KEY_UNKNOWN', 'KEY_REVOKED']) codes.add(c);
  for (const c of ['RATE_LIMITED', 'INTERNAL', 'UNAVAILABLE']) codes.add(c);
  return [...codes];
}

function statusOf(code: string): number {
  if (Object.prototype.hasOwnProperty.call(API_ERRORS, code)) return API_ERRORS[code as ApiErrorCode][0];
  if (Object.prototype.hasOwnProperty.call(REJECT_REASONS, code)) return rejectionStatus(code as keyof typeof REJECT_REASONS);
  throw new Error(`canopy: bad math in openApiDocument: unknown error code ${code}`);
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonObject[] {
  if (schema === undefined) return [];
  const json = jsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
}

/**
 * The JSON Schema (2020-12, as OpenAPI 3.1 takes it) of a zod schema, without `$schema`.
 * @throws never for the API's schemas (unrepresentable parts become `{}`)
 * @example jsonSchemaOf(servedEntrySchema, 'output')
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const jsonSchema = jsonSchemaOf;
