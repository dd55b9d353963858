/**
 * The OpenAPI 3.1 document of the verifier API, its schemas generated from schemas.ts with
 * zod's `toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses), so the document and
 * the validation cannot drift apart. A test compares it with the routes the API answers.
 * @module
 */
import * as z from 'zod';
import { claimSchema, errorSchema, rejectionSchema, verifyBodySchema } from './schemas.ts';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const errorRef = { $ref: '#/components/schemas/Error' };

function errors(list: readonly [number, string][]): JsonObject {
  return Object.fromEntries(list.map(([status, description]) => [String(status), { description, content: { 'application/json': { schema: errorRef } } }]));
}

let cached: JsonObject | null = null;

/**
 * The document (built once; each call returns a copy).
 * @throws never
 * @example verifierOpenApiDocument().paths['/verify'].post.operationId // 'verifyPassport'
 */
export function verifierOpenApiDocument(): JsonObject {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Canopy importer verifier',
      version: '1',
      description: 'Checks a Canopy lot passport against its registry and the importer policy the service was started with (docs/verifier.md).',
    },
    paths: {
      '/verify': {
        post: {
          operationId: 'verifyPassport',
          summary: 'Verify a lot passport: opening, checkpoint signature, cosignatures, inclusion, creating entry, proof, nullifier, policy.',
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(verifyBodySchema, 'input') } } },
          responses: {
            '200': { description: 'every check passed: the verified claim', content: { 'application/json': { schema: { $ref: '#/components/schemas/VerifiedClaim' } } } },
            '422': { description: 'a check failed; `check` names it', content: { 'application/json': { schema: { $ref: '#/components/schemas/Rejection' } } } },
            ...errors([
              [400, 'BODY_NOT_JSON, INVALID_BODY'],
              [413, 'BODY_TOO_LARGE'],
              [415, 'UNSUPPORTED_MEDIA_TYPE'],
              [500, 'INTERNAL'],
              [502, 'REGISTRY_UNAVAILABLE'],
              [503, 'REGISTRY_UNKNOWN'],
            ]),
          },
        },
      },
      '/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
      '/healthz': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness, and the registries the policy pins.',
          responses: {
            '200': {
              description: 'healthy',
              content: { 'application/json': { schema: { type: 'object', required: ['status', 'registries', 'keysDir'], properties: { status: { const: 'ok' }, registries: { type: 'array', items: { type: 'string' } }, keysDir: { type: 'boolean' } } } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        VerifiedClaim: jsonSchema(claimSchema, 'output'),
        Rejection: jsonSchema(rejectionSchema, 'output'),
        Error: jsonSchema(errorSchema, 'output'),
      },
    },
  };
  return structuredClone(cached);
}
