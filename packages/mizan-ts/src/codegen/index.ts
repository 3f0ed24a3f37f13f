export { type ExtensionContext, type ExtensionGenerator, type ExtensionOutput } from "./extension.js";
export { functionTableOf, generate, type GeneratedFiles, type GenerateOptions } from "./generate.js";
export { JsonSchemaConverter, typeName } from "./jsonSchemaToIr.js";
export { renderNamedType, renderType } from "./renderTypeScript.js";
export { parseSchemaDocument, type JsonSchema, type SchemaDocument, type SchemaFunction } from "./schemaDocument.js";
export { type NamedTypeIr, type PropertyIr, type TypeIr } from "./typeIr.js";
export { runCodegen, type CodegenArgs } from "./runCodegen.js";
