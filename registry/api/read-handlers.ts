/**
 * The public read routes of the registry. Each takes its validated query and path
 * parameters (schemas.ts) and answers from the log; none changes anything.
 *
 * Ranges are half-open and bounded: a page of entries covers at most MAX_ENTRIES_PAGE
 * sequence numbers; a range reaching beyond the log is 404 (the log has no such entry),
 * a range that is merely malformed is 400.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { ed25519VerifierKey } from '../../core/note/note-key.ts';
import type { TreeName } from '../store/store.ts';
import { ApiError } from './api-error.ts';
import type { RouteHandler } from './context.ts';
import { jsonResponse, textResponse } from './http.ts';
import { MAX_CHECKPOINTS_PAGE, MAX_ENTRIES_PAGE } from './schemas.ts';

/**
 * `GET /checkpoint`: the latest signed checkpoint note, as text (as C2SP tlog-tiles logs serve it).
 * @throws {ApiError} NOT_FOUND before the first checkpoint
 * @example await checkpointText(ctx, input) // { status: 200, body: { text: 'registry.example/canopy\n12\n…', … } }
 */
export const checkpointText: RouteHandler = async (ctx) => {
  const latest = await ctx.log.latestCheckpoint();
  if (latest === null) throw new ApiError('NOT_FOUND', 'no checkpoint has been signed yet');
  return textResponse(200, latest.note, 'text/plain; charset=utf-8', { 'cache-control': 'no-cache' });
};

/**
 * `GET /v1/checkpoints?from&limit`: signed checkpoints with size ≥ from, oldest first.
 * @throws never beyond store failures
 * @example await checkpointHistory(ctx, { query: { from: 0, limit: 10 }, … })
 */
export const checkpointHistory: RouteHandler<unknown, { from?: number; limit?: number }> = async (ctx, { query }) => {
  const checkpoints = await ctx.log.checkpoints.history(query.from ?? 0, query.limit ?? MAX_CHECKPOINTS_PAGE);
  return jsonResponse(200, { checkpoints });
};

/**
 * `GET /v1/entries?start&end`: entries [start, end), end defaulting to a full page or the log's end.
 * @throws {ApiError} INVALID_QUERY for a range longer than a page; NOT_FOUND beyond the log
 * @example await entryPage(ctx, { query: { start: 0 }, … })
 */
export const entryPage: RouteHandler<unknown, { start: number; end?: number }> = async (ctx, { query }) => {
  const { size } = await ctx.log.store.head();
  const start = query.start;
  const end = query.end ?? Math.max(start, Math.min(start + MAX_ENTRIES_PAGE, size));
  if (end < start) throw new ApiError('INVALID_QUERY', `end ${end} is before start ${start}`);
  if (end - start > MAX_ENTRIES_PAGE) throw new ApiError('INVALID_QUERY', `the range [${start}, ${end}) is longer than a page of ${MAX_ENTRIES_PAGE} entries`);
  if (end > size) throw new ApiError('NOT_FOUND', `the range [${start}, ${end}) reaches beyond the log of ${size} entries`);
  const entries = start === end ? [] : await ctx.log.readEntries(start, end);
  return jsonResponse(200, { size, entries });
};

/**
 * `GET /v1/entries/{seq}`: one entry.
 * @throws {ApiError} NOT_FOUND beyond the log
 * @example await oneEntry(ctx, { params: { seq: 3 }, … })
 */
export const oneEntry: RouteHandler<{ seq: number }> = async (ctx, { params }) => {
  const { size } = await ctx.log.store.head();
  if (params.seq >= size) throw new ApiError('NOT_FOUND', `no entry ${params.seq}: the log has ${size} entries`);
  const [entry] = await ctx.log.readEntries(params.seq, params.seq + 1);
  return jsonResponse(200, entry);
};

/**
 * `GET /v1/proofs/inclusion?index&size`: RFC 9162 audit path of entry `index` in the log of `size`.
 * @throws {RangeError} (400 INVALID_INPUT) unless index < size ≤ log size
 * @example await inclusionProof(ctx, { query: { index: 3, size: 8 }, … })
 */
export const inclusionProof: RouteHandler<unknown, { index: number; size: number }> = async (ctx, { query }) => jsonResponse(200, await ctx.log.proveInclusion(query.index, query.size));

/**
 * `GET /v1/proofs/consistency?old&size`: RFC 9162 consistency proof from `old` to `size`.
 * @throws {RangeError} (400 INVALID_INPUT) unless old ≤ size ≤ log size
 * @example await consistencyProof(ctx, { query: { old: 4, size: 8 }, … })
 */
export const consistencyProof: RouteHandler<unknown, { old: number; size: number }> = async (ctx, { query }) => jsonResponse(200, await ctx.log.proveConsistency(query.old, query.size));

/**
 * `GET /v1/trees/{tree}/proof?leafIndex&size`: Poseidon inclusion proof of a lots or plots
 * leaf against the root the checkpoint of log size `size` published (a prover's witness).
 * @throws {CanopyError} NOT_FOUND (404) if no checkpoint has that size; {RangeError} (400) if the leaf is not in the tree then
 * @example await treeProof(ctx, { params: { tree: 'lots' }, query: { leafIndex: 0, size: 5 }, … })
 */
export const treeProof: RouteHandler<{ tree: TreeName }, { leafIndex: number; size: number }> = async (ctx, { params, query }) =>
  jsonResponse(200, await ctx.log.treeProof(params.tree, query.leafIndex, query.size));

/**
 * `GET /v1/trees/{tree}/leaves/{value}`: where a leaf value sits in a tree (the lowest index
 * holding it) and which log entry appended it, from the store's index on leaf values.
 * @throws {ApiError} NOT_FOUND if no committed leaf of the tree has that value (0 never does)
 * @example await treeLeaf(ctx, { params: { tree: 'lots', value: commitment }, … }) // { tree, value, leafIndex, sequence }
 */
export const treeLeaf: RouteHandler<{ tree: TreeName; value: bigint }> = async (ctx, { params }) => {
  const leaf = await ctx.log.store.findLeaf(params.tree, params.value);
  if (leaf === null) throw new ApiError('NOT_FOUND', `no ${params.tree} leaf has the value ${params.value}`);
  return jsonResponse(200, { tree: params.tree, value: params.value.toString(10), leafIndex: leaf.index, sequence: leaf.sequence });
};

/**
 * `GET /v1/nullifiers/{value}`: whether a nullifier (or capacity issuance tag) was spent,
 * and by which entry. 0 marks a disabled slot and is never spent.
 * @throws never beyond store failures
 * @example await nullifierStatus(ctx, { params: { value: n }, … }) // { nullifier, spent: true, sequence: 12 }
 */
export const nullifierStatus: RouteHandler<{ value: bigint }> = async (ctx, { params }) => {
  const sequence = (await ctx.log.store.findNullifiers([params.value])).get(params.value) ?? null;
  return jsonResponse(200, { nullifier: params.value.toString(10), spent: sequence !== null, sequence });
};

/**
 * `GET /v1/witnesses`: the cosigner keys of the active auditors, the witnesses whose
 * cosignatures the registry accepts (POST /v1/checkpoints/cosignatures) and serves.
 * @throws never beyond store failures
 * @example await witnessList(ctx, input) // { witnesses: [{ partyId: 'audit-1', cosignerKey: 'audit-1+…' }] }
 */
export const witnessList: RouteHandler = async (ctx) => {
  const auditors = (await ctx.log.store.findPartiesByRole('auditor')).filter((p) => p.revokedAt === null);
  const witnesses = auditors.map((p) => ({ partyId: p.partyId, cosignerKey: cosignerVerifierKey(ed25519VerifierKey(p.partyId, new Uint8Array(Buffer.from(p.publicKey, 'base64')))) }));
  return jsonResponse(200, { witnesses }, { 'cache-control': 'no-cache' });
};

/**
 * `GET /v1/roots`: the lots and plots roots of the latest checkpoint, which proofs may use,
 * and the depth of each tree (so that a prover or an auditor can size its own copy).
 * @throws {ApiError} NOT_FOUND before the first checkpoint
 * @example await publishedRoots(ctx, input) // { checkpointSize, lots: { leaves, root, depth }, plots: { … } }
 */
export const publishedRoots: RouteHandler = async (ctx) => {
  const c = await ctx.log.latestCheckpoint();
  if (c === null) throw new ApiError('NOT_FOUND', 'no checkpoint has been signed yet');
  const trees = ctx.log.sequencer.trees;
  return jsonResponse(200, {
    checkpointSize: c.size,
    lots: { leaves: c.lotsSize, root: c.lotsRoot, depth: trees.depth('lots') },
    plots: { leaves: c.plotsSize, root: c.plotsRoot, depth: trees.depth('plots') },
  });
};

/**
 * `GET /v1/datasets/{root}`: the dataset entry registering a root (dataset roots are unique
 * in the log), from the store's index on roots, so a disclosure check need not scan the
 * log. The answer is the registry's word until the caller proves entry `sequence` included
 * under a checkpoint it verified.
 * @throws {ApiError} NOT_FOUND if no dataset entry registers the root; {CanopyError}
 *   LOG_INCONSISTENT (500) if the indexed entry is not that dataset entry
 * @example await datasetRecord(ctx, { params: { root }, … }) // { datasetRoot, sequence, name, manifestSha256 }
 */
export const datasetRecord: RouteHandler<{ root: bigint }> = async (ctx, { params }) => {
  const sequence = (await ctx.log.store.findDatasets([params.root])).get(params.root);
  if (sequence === undefined) throw new ApiError('NOT_FOUND', `no dataset entry registers the root ${params.root}`);
  const [served] = await ctx.log.readEntries(sequence, sequence + 1);
  const e = served!.entry;
  if (e.type !== 'dataset' || e.body.datasetRoot !== params.root.toString(10)) throw new CanopyError('LOG_INCONSISTENT', `the dataset index names entry ${sequence} for root ${params.root}, which is a ${e.type} entry of another root`);
  return jsonResponse(200, { datasetRoot: e.body.datasetRoot, sequence, name: e.body.name, manifestSha256: e.body.manifestSha256 });
};

/**
 * `GET /v1/registry-key`: the registry's note verifier key and log origin. Trust-on-first-
 * use material only: whoever answers this URL can answer any key, so a client must pin
 * the key from an independent source (the operator's publication, a witness) and use this
 * route at most to fetch the text it then compares with its pin.
 * @throws never
 * @example await registryKey(ctx, input) // { origin: 'registry.example/canopy', verifierKey: 'registry.example/canopy+…' }
 */
export const registryKey: RouteHandler = async (ctx) => jsonResponse(200, { origin: ctx.log.origin, verifierKey: ctx.log.verifierKey }, { 'cache-control': 'public, max-age=3600' });

/**
 * `GET /v1/artifacts`: the accepted circuit keys (artifacts.ts).
 * @throws never
 * @example await publishedArtifacts(ctx, input)
 */
export const publishedArtifacts: RouteHandler = async (ctx) => jsonResponse(200, ctx.artifacts, { 'cache-control': 'no-cache' });

/**
 * `GET /v1/parties/{id}`: a registered party (registrations are public log entries).
 * @throws {ApiError} NOT_FOUND if no such party
 * @example await partyRecord(ctx, { params: { id: 'mill-7' }, … })
 */
export const partyRecord: RouteHandler<{ id: string }> = async (ctx, { params }) => {
  const party = (await ctx.log.store.findParties([params.id])).get(params.id);
  if (party === undefined) throw new ApiError('NOT_FOUND', `no party ${JSON.stringify(params.id)} is registered`);
  return jsonResponse(200, party);
};

/**
 * `GET /healthz`: liveness, with the log size and the verifier's counters.
 * @throws store failures (500: the registry cannot read its store)
 * @example await health(ctx, input)
 */
export const health: RouteHandler = async (ctx) => {
  const head = await ctx.log.store.head();
  return jsonResponse(200, { status: 'ok', origin: ctx.log.origin, store: ctx.log.store.kind, size: head.size, checkpointSize: head.checkpointSize, verifier: ctx.verifierStats() }, { 'cache-control': 'no-store' });
};

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of every route.
 * @throws never
 * @example await openApi(ctx, input)
 */
export const openApi: RouteHandler = async (ctx) => jsonResponse(200, ctx.openapi());
