import type { FieldError } from "../client/mizanError.js";
import { buildProcedureTree } from "../client/procedurePath.js";
import type { FormDefinition } from "./formDefinition.js";
import { validateForm, type ValidateFormOptions } from "./validateForm.js";

/** A form of the typed API, next to its `submit` and `validate`: `mizan.contact.check(values)`. */
export interface FormProcedure<V> {
  readonly form: FormDefinition;
  /** The client-side check (`validateForm`): the server's codes, no request. */
  check(values: Partial<V> | V, options?: ValidateFormOptions): FieldError[];
}

/** The form part of a generated API: a `FormProcedure` at each form's `procedurePath`. */
export function createFormsApi(forms: Readonly<Record<string, FormDefinition>>): Record<string, unknown> {
  return buildProcedureTree(Object.keys(forms), (name) => {
    const form = forms[name] as FormDefinition;
    return { form, check: (values: unknown, options?: ValidateFormOptions) => validateForm(form, values, options) };
  });
}
