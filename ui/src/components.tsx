import type { AppError } from "./bindings/AppError";
import type { Choice } from "./bindings/Choice";

/** A list to choose one code of a closed set from, in the words Rust gives it. */
export function ChoiceSelect<T extends string>({
  choices,
  value,
  onChange,
  testid,
  placeholder,
}: {
  choices: Choice<T>[];
  /** None chosen yet: the placeholder shows, and is not a choice. */
  value: T | undefined;
  onChange: (code: T) => void;
  testid?: string;
  placeholder?: string;
}) {
  // The options are the set's own codes, so the chosen value is one of them.
  return (
    <select data-testid={testid} value={value ?? ""} onChange={(e) => onChange(e.currentTarget.value as T)}>
      {value === undefined && (
        <option value="" disabled>
          {placeholder ?? "선택"}
        </option>
      )}
      {choices.map((c) => (
        <option value={c.code} key={c.code}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

export function ErrorBox({ error }: { error: AppError | string | null }) {
  if (!error) return null;
  const message = typeof error === "string" ? error : error.message;
  return (
    <div class="error" role="alert" data-testid="error">
      {message}
    </div>
  );
}

export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <div class="notice" role="status" data-testid="notice">
      {text}
    </div>
  );
}
