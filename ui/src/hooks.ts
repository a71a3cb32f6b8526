// Small hooks the screens share.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { AppError } from "./bindings/AppError";
import { toAppError } from "./logic/errors";

/** Loads `fetch` now and on `reload()`; keeps the last error for display. */
export function useLoad<T>(fetch: () => Promise<T>): { data: T | null; error: AppError | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const reload = useCallback(() => {
    fetch().then(
      (value) => {
        setData(value);
        setError(null);
      },
      (e) => setError(toAppError(e)),
    );
  }, [fetch]);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

/**
 * Runs an action once at a time, keeping its error; `busy` disables the
 * button that started it so a double press cannot act twice.
 */
export function useAction(): {
  busy: boolean;
  error: AppError | null;
  setError: (e: AppError | null) => void;
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const running = useRef(false);
  const run = useCallback(async <T,>(action: () => Promise<T>) => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(toAppError(e));
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** Enter moves to the next field, as Tab does: clerks keep their hands on the keys. */
export function enterMovesOn(event: KeyboardEvent): void {
  if (event.key !== "Enter" || event.isComposing) return;
  const target = event.target as HTMLElement;
  if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
  if (target.dataset.enter === "own") return;
  const scope = (event.currentTarget as HTMLElement) ?? document;
  const fields = Array.from(
    scope.querySelectorAll<HTMLElement>("input, select, button, textarea"),
  ).filter((el) => !(el as HTMLInputElement).disabled && el.tabIndex >= 0 && el.offsetParent !== null);
  const next = fields[fields.indexOf(target) + 1];
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

/**
 * A ref whose element takes the keyboard when the screen appears.
 * (`autoFocus` only works on page load, not when a screen mounts later.)
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
