import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isMizanError, type FieldError, type MizanError } from "../client/mizanError.js";
import type { FormDefinition } from "../forms/formDefinition.js";
import { validateForm } from "../forms/validateForm.js";
import { useMizanClient } from "./MizanProvider.js";

export interface MizanFormOptions<V, O> {
  /** The starting values; fields with a schema `default` start with it otherwise. */
  readonly initialValues?: Partial<V>;
  /**
   * Also ask the server's `FORM.validate` (debounced) once the client check passes after
   * a change, for rules only the server knows. Default false.
   */
  readonly validateOnServer?: boolean;
  /** Debounce of `validateOnServer`. Default 300 ms. */
  readonly debounceMs?: number;
  readonly onSuccess?: (output: O, values: V) => void;
}

export interface MizanForm<V, O> {
  readonly values: Partial<V>;
  /** Sets one field (`undefined` unsets it) and checks the form again. */
  setValue<K extends keyof V & string>(name: K, value: V[K] | undefined): void;
  /** Field errors to show: client ones of touched fields, and the server's latest. */
  readonly errors: readonly FieldError[];
  /** The errors of one field, by dotted path. */
  errorsOf(path: string): readonly FieldError[];
  readonly touched: ReadonlySet<string>;
  readonly status: "idle" | "submitting" | "success" | "error";
  /** What `FORM.submit` answered. */
  readonly result: O | undefined;
  /** A failure of `FORM.submit` that is not about fields (network, forbidden, ...). */
  readonly error: MizanError | null;
  /** Checks everything; when the client finds nothing, calls `FORM.submit`. Resolves with its output, or `undefined`. */
  submit(): Promise<O | undefined>;
  /** For `<form onSubmit>`: prevents the browser's submission, then `submit()`. */
  readonly handleSubmit: (event?: { preventDefault(): void }) => void;
  reset(): void;
}

function initialValuesOf<V>(form: FormDefinition, initial: Partial<V> | undefined): Partial<V> {
  const values: Record<string, unknown> = {};
  for (const field of form.fields) {
    if (field.name !== undefined && Object.hasOwn(field, "default")) values[field.name] = field.default;
  }
  return { ...values, ...initial };
}

const within = (path: string, touched: ReadonlySet<string>): boolean => touched.has(path.split(".")[0] ?? path);

/**
 * State for one Mizan form: values, client-side checks with the server's codes
 * (`validateForm`) on every change and before submitting, then `FORM.submit`, whose field
 * errors join the same list. A field's server errors are dropped when it changes.
 */
export function useMizanForm<V, O>(form: FormDefinition, options: MizanFormOptions<V, O> = {}): MizanForm<V, O> {
  const client = useMizanClient();
  const [values, setValues] = useState<Partial<V>>(() => initialValuesOf(form, options.initialValues));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<readonly FieldError[]>([]);
  const [status, setStatus] = useState<MizanForm<V, O>["status"]>("idle");
  const [result, setResult] = useState<O | undefined>(undefined);
  const [error, setError] = useState<MizanError | null>(null);
  const latest = useRef(options);
  latest.current = options;

  const clientErrors = useMemo(() => validateForm(form, values), [form, values]);
  const errors = useMemo(
    () => [...clientErrors.filter((e) => within(e.path, touched)), ...serverErrors],
    [clientErrors, serverErrors, touched],
  );

  const setValue = useCallback(<K extends keyof V & string>(name: K, value: V[K] | undefined) => {
    setValues((before) => ({ ...before, [name]: value }));
    setTouched((before) => new Set([...before, name]));
    setServerErrors((before) => before.filter((e) => !within(e.path, new Set([name]))));
  }, []);

  const validateOnServer = options.validateOnServer === true && form.validate !== null;
  useEffect(() => {
    if (!validateOnServer || touched.size === 0 || clientErrors.length > 0 || form.validate === null) return;
    const fn = form.validate;
    let current = true;
    const timer = setTimeout(() => {
      client.mutate(fn, values).then(
        () => current && setServerErrors([]),
        (failure: unknown) => current && isMizanError(failure) && setServerErrors(failure.fields),
      );
    }, latest.current.debounceMs ?? 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, form, values, touched, clientErrors, validateOnServer]);

  const submit = useCallback(async (): Promise<O | undefined> => {
    setTouched(new Set(form.fields.flatMap((f) => (f.name === undefined ? [] : [f.name]))));
    setError(null);
    if (validateForm(form, values).length > 0) {
      setStatus("error");
      return undefined;
    }
    if (form.submit === null) throw new Error("this form has no submit function");
    setStatus("submitting");
    try {
      const output = await client.mutate<O>(form.submit, values);
      setServerErrors([]);
      setResult(output);
      setStatus("success");
      latest.current.onSuccess?.(output, values as V);
      return output;
    } catch (failure) {
      setStatus("error");
      if (isMizanError(failure) && failure.fields.length > 0) setServerErrors(failure.fields);
      else if (isMizanError(failure)) setError(failure);
      else throw failure;
      return undefined;
    }
  }, [client, form, values]);

  return {
    values,
    setValue,
    errors,
    errorsOf: (path) => errors.filter((e) => e.path === path),
    touched,
    status,
    result,
    error,
    submit,
    handleSubmit: (event) => {
      event?.preventDefault();
      void submit();
    },
    reset: () => {
      setValues(initialValuesOf(form, latest.current.initialValues));
      setTouched(new Set());
      setServerErrors([]);
      setStatus("idle");
      setResult(undefined);
      setError(null);
    },
  };
}
