import { isRecord } from "../core/isRecord.js";
import { statusOfCode, type MizanErrorCode } from "./errorCodes.js";

/** One field at fault: `path` joins keys and indices with dots (`items.2.qty`); `""` is the whole input. */
export interface FieldError {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * The one error class of the client. Every failed call rejects with it, whether the server
 * answered an error envelope, the network failed, or the answer was not an envelope.
 *
 * `status` is the HTTP status of the response that carried the error; for a member of a
 * batch or composition (answered inside a `200`) it is the status the framework code
 * stands for, or `null` for an application code.
 *
 * `Details` is the function's typed error (`schema.functions[f].error`), which codegen
 * fills in; for `unauthenticated` it is `{ reason: MwtErrorCode }`.
 */
export class MizanError<Details = unknown> extends Error {
  override readonly name = "MizanError";
  readonly code: MizanErrorCode;
  readonly status: number | null;
  readonly fields: readonly FieldError[];
  readonly details: Details | undefined;

  constructor(init: {
    code: MizanErrorCode;
    message: string;
    status?: number | null;
    fields?: readonly FieldError[];
    details?: Details;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status === undefined ? statusOfCode(init.code) : init.status;
    this.fields = init.fields ?? [];
    this.details = init.details;
  }

  /** The errors of one field, by dotted path. */
  fieldErrors(path: string): readonly FieldError[] {
    return this.fields.filter((field) => field.path === path);
  }
}

/** True for a `MizanError`, whatever realm it was created in. */
export function isMizanError(value: unknown): value is MizanError {
  return value instanceof MizanError || (value instanceof Error && value.name === "MizanError" && "code" in value);
}

/**
 * The error of an `{"error": {...}}` envelope, or a `invalid_response` error when `body`
 * is not one. `status` is the HTTP status of the response (pass `null` for batch members).
 */
export function errorFromEnvelope(body: unknown, status: number | null): MizanError {
  const error = isRecord(body) ? body["error"] : undefined;
  if (!isRecord(error) || typeof error["code"] !== "string" || typeof error["message"] !== "string") {
    return new MizanError({
      code: "invalid_response",
      message: `the server answered ${status ?? "something"} without a Mizan error envelope`,
      status,
    });
  }
  const fields = Array.isArray(error["fields"]) ? error["fields"].filter(isFieldError) : [];
  return new MizanError({
    code: error["code"],
    message: error["message"],
    status: status ?? statusOfCode(error["code"]),
    fields,
    ...(error["details"] === undefined ? {} : { details: error["details"] }),
  });
}

function isFieldError(value: unknown): value is FieldError {
  return (
    isRecord(value) &&
    typeof value["path"] === "string" &&
    typeof value["code"] === "string" &&
    typeof value["message"] === "string"
  );
}
