// Writes the function table and the compositions the edge worker needs, from the server's
// schema (MIZAN_EXPORT=schema demo > schema.json): node tables.mjs SCHEMA OUT.
import { readFileSync, writeFileSync } from "node:fs";
import { functionTableOf, parseSchemaDocument } from "mizan/codegen";

const [schemaPath, outPath] = process.argv.slice(2);
if (schemaPath === undefined || outPath === undefined) {
  console.error("usage: node tables.mjs SCHEMA.json OUT.json");
  process.exit(2);
}
const schema = parseSchemaDocument(JSON.parse(readFileSync(schemaPath, "utf8")));
const compositions = Object.fromEntries(Object.entries(schema.compositions).map(([name, c]) => [name, c.members]));
writeFileSync(outPath, `${JSON.stringify({ functions: functionTableOf(schema), compositions }, null, 2)}\n`);
