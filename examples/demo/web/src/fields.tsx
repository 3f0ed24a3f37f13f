import type { FieldError } from "mizan";
import type { ReactNode } from "react";
import type { PostError } from "./mizan/client";

/** One form field with its label, help and errors (client rules and the server's). */
export function Field(props: { name: string; label: string; help?: string; errors: readonly string[]; children: ReactNode }) {
  return (
    <div className={props.errors.length > 0 ? "field invalid" : "field"} data-field={props.name}>
      <label htmlFor={props.name}>{props.label}</label>
      {props.children}
      {props.help !== undefined && <small className="muted">{props.help}</small>}
      {props.errors.map((message) => (
        <small key={message} className="field-error">
          {message}
        </small>
      ))}
    </div>
  );
}

/**
 * The messages for field `name`: its field errors, plus a typed `PostError` that names
 * it (the server's `title_taken`), while the field still holds the value it was about.
 */
export function messagesOf(name: string, fields: readonly FieldError[], typed: { error: unknown; value: unknown }): string[] {
  // A pattern's message quotes the regular expression; say what it means instead.
  const messages = fields
    .filter((f) => f.path === name)
    .map((f) => (f.code === "pattern" ? "uses a character a title may not have (start with a letter or digit)" : f.message));
  const error = typed.error as { code?: string; message?: string; details?: PostError } | null;
  const details = error?.details;
  if (details?.kind === "title_taken" && details.field === name && details.title === typed.value && error?.message !== undefined) {
    messages.push(error.message);
  }
  return messages;
}
