/** A field's JSON type in the schema's `forms` section (`spec/SCHEMA.md`, "Forms"). */
export type FormFieldType = "string" | "integer" | "number" | "boolean" | "object" | "array" | "any";

/** The JSON Schema keywords a field may carry, with their schema values. */
export interface FormConstraints {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
}

/** One field of a form, as the schema document describes it. */
export interface FormField {
  /** The wire name; absent on a list's `items`. */
  readonly name?: string;
  readonly type: FormFieldType;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly default?: unknown;
  readonly label?: string;
  readonly help?: string;
  readonly constraints?: FormConstraints;
  readonly choices?: readonly unknown[];
  readonly fields?: readonly FormField[];
  readonly items?: FormField;
}

/** A form: its two functions and its fields (`schema.forms[FORM]`). */
export interface FormDefinition {
  readonly validate: string | null;
  readonly submit: string | null;
  readonly title?: string;
  readonly description?: string;
  readonly fields: readonly FormField[];
  /**
   * Whether fields the form does not declare are refused (`unknown_field`): the submit
   * input's `additionalProperties: false`, which codegen copies here. Default false.
   */
  readonly denyUnknownFields?: boolean;
}
