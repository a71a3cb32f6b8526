import type { AppError } from "./bindings/AppError";

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
