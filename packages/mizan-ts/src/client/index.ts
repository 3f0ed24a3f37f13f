export { createBatchQueue, type PendingCall } from "./batchQueue.js";
export {
  createMizanClient,
  type FetchLike,
  type IssuedToken,
  type MizanClient,
  type MizanClientOptions,
  type Session,
  type Settled,
} from "./createMizanClient.js";
export { decodeTokenClaims, type TokenClaims } from "./decodeTokenClaims.js";
export {
  MIZAN_CLIENT_ERROR_CODES,
  MIZAN_ERROR_CODES,
  statusOfCode,
  type MizanClientErrorCode,
  type MizanErrorCode,
  type MizanServerErrorCode,
} from "./errorCodes.js";
export {
  functionMeta,
  functionsTaggedWith,
  type FunctionCacheMeta,
  type FunctionMeta,
  type FunctionTable,
} from "./functionTable.js";
export { errorFromEnvelope, isMizanError, MizanError, type FieldError } from "./mizanError.js";
export { RevisionMap, type RevisionListener } from "./revisionMap.js";
export { memoryTokenStore, type TokenStore } from "./tokenStore.js";
export {
  createMizanApi,
  type ComposeProcedure,
  type InputArgs,
  type MizanApiBase,
  type MutationProcedure,
  type QueryProcedure,
} from "./createMizanApi.js";
export { buildProcedureTree, mergeProcedureTrees, procedurePath } from "./procedurePath.js";
export * from "../channels/index.js";
export * from "../forms/index.js";
