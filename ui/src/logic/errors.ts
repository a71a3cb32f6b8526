// Errors as the clerk sees them. The shell sends `{ code, message }` with a
// Korean message; anything else (a bug, a broken bridge) becomes a plain
// Korean sentence rather than a raw string or trace.

import type { AppError } from "../bindings/AppError";

export const UNEXPECTED = "처리 중 예기치 않은 오류가 발생했습니다. 다시 시도하고, 계속되면 감독자에게 알리세요.";

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AppError).code === "string" &&
    typeof (value as AppError).message === "string"
  );
}

export function toAppError(value: unknown): AppError {
  return isAppError(value) ? value : { code: "unexpected", message: UNEXPECTED };
}
