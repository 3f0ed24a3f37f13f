import { isRecord } from "../core/isRecord.js";
import type { ExtensionContext, ExtensionOutput } from "./extension.js";
import { typeName } from "./jsonSchemaToIr.js";

/**
 * The `forms` generator: the `forms` table (each form's fields from the schema, plus
 * `denyUnknownFields` from its submit input), `api.contact.check(values)` and the hook
 * `mizan.contact.useForm()`, typed by the submit function's input and output.
 */
export function generateForms(section: unknown, { document, runtimeModule }: ExtensionContext): ExtensionOutput {
  if (!isRecord(section)) throw new Error("invalid schema document: forms must be an object");
  const problems: string[] = [];
  const names = Object.keys(section).sort();
  const definitions: string[] = [];
  const clientMembers: Record<string, string> = {};
  const reactMembers: Record<string, string> = {};
  const memberDocs: Record<string, string> = {};
  for (const name of names) {
    const form = section[name];
    if (!isRecord(form) || !Array.isArray(form["fields"])) {
      problems.push(`forms.${name}.fields must be a list`);
      continue;
    }
    const submit = typeof form["submit"] === "string" ? form["submit"] : null;
    const fn = submit === null ? undefined : document.functions[submit];
    if (submit !== null && fn === undefined) problems.push(`forms.${name}.submit names no function: ${submit}`);
    const input = fn === undefined ? "unknown" : `${typeName(submit as string)}Input`;
    const output = fn === undefined ? "unknown" : `${typeName(submit as string)}Output`;
    const denyUnknownFields = fn !== undefined && isRecord(fn.input) && fn.input["additionalProperties"] === false;
    definitions.push(`  ${JSON.stringify(name)}: ${JSON.stringify({ ...form, denyUnknownFields })},`);
    clientMembers[name] = `FormProcedure<${input}>`;
    reactMembers[name] = `ReactFormProcedure<${input}, ${output}>`;
    if (typeof form["description"] === "string") memberDocs[name] = `The form: ${form["description"]}`;
  }
  if (problems.length > 0) throw new Error(`invalid schema document:\n- ${problems.join("\n- ")}`);
  // With no forms the procedure types are unused: generated code compiles under noUnusedLocals.
  const any = names.length > 0;
  const client = `import { createFormsApi, type FormDefinition${any ? ", type FormProcedure" : ""} } from ${JSON.stringify(runtimeModule)};

/** Forms: their functions and fields, for \`validateForm\` and \`useForm\`. */
export const forms = {
${definitions.join("\n")}
} as const satisfies Readonly<Record<string, FormDefinition>>;
`;
  const react = `import { createFormsReactApi${any ? ", type ReactFormProcedure" : ""} } from ${JSON.stringify(`${runtimeModule}/react`)};
`;
  return {
    client,
    react,
    reactImports: ["forms"],
    clientMembers,
    reactMembers,
    memberDocs,
    clientValue: "createFormsApi(forms)",
    reactValue: "createFormsReactApi(forms)",
  };
}
