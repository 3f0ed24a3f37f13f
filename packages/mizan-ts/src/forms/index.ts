export type { FormConstraints, FormDefinition, FormField, FormFieldType } from "./formDefinition.js";
export { FIELD_ERROR_CODES, type FieldErrorCode } from "./fieldErrorCodes.js";
export { isEmail, isUrl } from "./formats.js";
export { validateForm, type ValidateFormOptions } from "./validateForm.js";
export { createFormsApi, type FormProcedure } from "./createFormsApi.js";
