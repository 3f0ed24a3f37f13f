import type { NamedTypeIr, TypeIr } from "./typeIr.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name as TypeScript spells it: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A JSDoc block for `text` at `indent`, or nothing. */
export function docComment(text: string | null, indent = ""): string {
  if (text === null || text.trim() === "") return "";
  const lines = text.replace(/\*\//g, "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} *${line === "" ? "" : ` ${line}`}`).join("\n")}\n${indent} */\n`;
}

/** `export type Name = ...;` for one named type. */
export function renderNamedType(named: NamedTypeIr): string {
  return `${docComment(named.description)}export type ${named.name} = ${renderType(named.type, "")};\n`;
}

/** The TypeScript spelling of an IR type. */
export function renderType(type: TypeIr, indent: string): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "literal":
      return JSON.stringify(type.value);
    case "ref":
      return type.name;
    case "array":
      return `${wrap(type.item, indent, ["union", "intersection"])}[]`;
    case "tuple": {
      const items = type.items.map((item) => renderType(item, indent));
      if (type.rest !== null) items.push(`...${wrap(type.rest, indent, ["union", "intersection"])}[]`);
      return `[${items.join(", ")}]`;
    }
    case "union":
      return type.members.map((m) => wrap(m, indent, ["intersection"])).join(" | ");
    case "intersection":
      return type.members.map((m) => wrap(m, indent, ["union"])).join(" & ");
    case "object": {
      if (type.properties.length === 0 && type.additional === null) return "Record<string, never>";
      const inner = `${indent}  `;
      const lines = type.properties.map(
        (p) =>
          `${docComment(p.description, inner)}${inner}${propertyKey(p.name)}${p.optional ? "?" : ""}: ${renderType(p.type, inner)};`,
      );
      if (type.additional !== null) lines.push(`${inner}[key: string]: ${renderType(type.additional, inner)};`);
      return `{\n${lines.join("\n")}\n${indent}}`;
    }
  }
}

function wrap(type: TypeIr, indent: string, kinds: readonly TypeIr["kind"][]): string {
  const text = renderType(type, indent);
  return kinds.includes(type.kind) ? `(${text})` : text;
}
