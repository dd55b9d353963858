/**
 * The OpenAPI 3.1 path items of the routes the registry serves in front of its route table
 * (log-read-routes.ts): the C2SP tlog-tiles read path (tiles-router.ts, serve-tiles.ts),
 * Canopy's checkpoint history files (checkpoint-history.ts) and the follow API
 * (registry/follow). registry-service.ts adds them to `/openapi.json`, so that document
 * lists every route the registry answers; a test requests each documented path.
 *
 *     GET /tile/{level}/{index}            hash tile, 32·W bytes
 *     GET /tile/entries/{index}            entry bundle (uint16-prefixed entries)
 *     GET /canopy/checkpoints/{index}      checkpoint history of sizes [256·N, 256·(N+1))
 *     GET /v1/follow?after&limit           a page of checkpointed entries
 *     GET /v1/follow/stream?after          the same as server-sent events
 *
 * A tile index is C2SP's: the decimal N in groups of three digits, each but the last
 * prefixed with "x" (x001/x234/067), so it may span path segments, which an OpenAPI path
 * parameter cannot; `x-canopy-path-pattern` gives the exact form, and anything else is
 * 404 before any tile is read. `.p/{width}` names a partial tile (width 1..255).
 * @module
 */
import * as z from 'zod';
import { jsonSchemaOf } from '../api/openapi.ts';
import { servedEntrySchema, signedCheckpointSchema } from '../api/schemas.ts';

type JsonObject = Record<string, unknown>;

const TILE_INDEX = 'C2SP tile index: the decimal N in groups of 3 digits, all but the last prefixed with "x" (e.g. 000, x001/234), then optionally ".p/W" for a partial tile of width W in 1..255';

function errors(codes: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [status, description] of Object.entries(codes)) out[status] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return out;
}

const NOT_FOUND = { '404': 'no such resource: a path not in the canonical form, or a tile beyond the latest checkpoint (Cache-Control: no-cache; the body is empty)' };
const COMMON = { '429': 'error: RATE_LIMITED (the registry’s token buckets)', '500': 'error: INTERNAL' };

function staticGet(operationId: string, summary: string, params: JsonObject[], pattern: string, mediaType: string, schema: JsonObject): JsonObject {
  return {
    get: {
      operationId,
      summary,
      tags: ['tiles'],
      parameters: params,
      'x-canopy-path-pattern': pattern,
      'x-canopy-served-by': 'registry/tiles (tiles-router.ts), also servable as static files (canopy registry export-tiles)',
      responses: {
        '200': {
          description: 'the resource; Cache-Control: immutable for a full tile or bundle, max-age=60 for a partial one, max-age=5 for the current history file, max-age=3600 for a complete one',
          content: { [mediaType]: { schema } },
        },
        '404': { description: NOT_FOUND['404'] },
        ...errors(COMMON),
      },
    },
  };
}

/**
 * The path items of the tiles, history and follow routes (module comment), keyed by
 * OpenAPI path. Error schemas refer to `#/components/schemas/Error` of the registry document.
 * @throws never
 * @example openApiDocument(ROUTES, info, { extraPaths: logReadPaths() })
 */
export function logReadPaths(): Record<string, JsonObject> {
  const indexParam = { name: 'index', in: 'path', required: true, description: TILE_INDEX, schema: { type: 'string' } };
  const page = z.strictObject({
    checkpoint: z.strictObject({ size: z.number().int(), note: z.string() }).nullable().describe('the latest signed checkpoint, which covers every entry of the page; null before the first'),
    entries: z.array(servedEntrySchema),
    last: z.number().int().nullable().describe('the `after` of the next request'),
  });
  const after = { name: 'after', in: 'query', required: false, description: 'the sequence number of the last entry the consumer has; omit to start at entry 0', schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } };
  return {
    '/tile/{level}/{index}': staticGet(
      'getTile',
      'C2SP tlog-tiles hash tile: hashes i in [0, W) are MTH of the 256^L leaves from (256·N + i)·256^L; full tiles W = 256.',
      [{ name: 'level', in: 'path', required: true, description: 'tile level L (tile height 8), canonical decimal', schema: { type: 'string', pattern: '^(0|[1-9][0-9]?)$' } }, indexParam],
      '^/tile/(0|[1-9][0-9]?)/(x[0-9]{3}/)*[0-9]{3}(\\.p/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?$',
      'application/octet-stream',
      { type: 'string', format: 'binary', description: '32·W bytes' },
    ),
    '/tile/entries/{index}': staticGet(
      'getEntryBundle',
      'C2SP tlog-tiles entry bundle of level-0 tile N: W entries, each a big-endian uint16 length and the entry’s canonical bytes (RFC 8785 JSON, at most 65,535 bytes); gzip when accepted.',
      [indexParam],
      '^/tile/entries/(x[0-9]{3}/)*[0-9]{3}(\\.p/([1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]))?$',
      'application/octet-stream',
      { type: 'string', format: 'binary' },
    ),
    '/canopy/checkpoints/{index}': staticGet(
      'getCheckpointHistoryFile',
      'Canopy’s checkpoint history: the signed checkpoints of sizes in [256·N, 256·(N+1)), oldest first; ".p" is the current range, replaced as checkpoints are signed.',
      [{ ...indexParam, description: 'N grouped as a tile index, then ".p" for the current range' }],
      '^/canopy/checkpoints/(x[0-9]{3}/)*[0-9]{3}(\\.p)?$',
      'application/json',
      jsonSchemaOf(z.strictObject({ checkpoints: z.array(signedCheckpointSchema) }), 'output'),
    ),
    '/v1/follow': {
      get: {
        operationId: 'followPage',
        summary: 'A page of entries after `after`, only entries covered by the latest signed checkpoint, with that checkpoint’s note (check the batch before acting on it).',
        tags: ['follow'],
        'x-canopy-served-by': 'registry/follow (follow-router.ts)',
        parameters: [after, { name: 'limit', in: 'query', required: false, description: 'entries per page, 1..1000 (default 100)', schema: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } }],
        responses: { '200': { description: 'the page', content: { 'application/json': { schema: jsonSchemaOf(page, 'output') } } }, ...errors({ '400': 'error: INVALID_QUERY', ...COMMON }) },
      },
    },
    '/v1/follow/stream': {
      get: {
        operationId: 'followStream',
        summary: 'The log as server-sent events: a `checkpoint` event whenever a larger checkpoint is signed, then an `entry` event per entry it covers (id = sequence number), heartbeat comments while idle.',
        tags: ['follow'],
        'x-canopy-served-by': 'registry/follow (follow-router.ts)',
        parameters: [after, { name: 'Last-Event-ID', in: 'header', required: false, description: 'resume after this sequence number (wins over `after`)', schema: { type: 'string' } }],
        responses: {
          '200': { description: 'an endless event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errors({ '400': 'error: INVALID_QUERY', ...COMMON, '503': 'error: UNAVAILABLE (too many open streams; Retry-After)' }),
        },
      },
    },
  };
}
