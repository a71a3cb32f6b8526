// Card serials as they arrive from a barcode scanner (digits, then Enter) or
// from the keyboard.

export type ScanResult =
  | { kind: "added"; serials: string[] }
  | { kind: "duplicate"; serial: string }
  | { kind: "full"; needed: number }
  | { kind: "empty" };

/** A serial as printed on the card: upper case, no spaces. */
export function normalizeSerial(text: string): string {
  return text.trim().replace(/\s+/g, "").toUpperCase();
}

/** Adds a scanned serial unless it is empty, a repeat, or one too many. */
export function scan(serials: string[], text: string, needed: number): ScanResult {
  const serial = normalizeSerial(text);
  if (!serial) return { kind: "empty" };
  if (serials.includes(serial)) return { kind: "duplicate", serial };
  if (serials.length >= needed) return { kind: "full", needed };
  return { kind: "added", serials: [...serials, serial] };
}

/** Which card gets which amount: the split's order, serials in scan order. */
export function assign(serials: string[], split: number[]): { serial: string | null; amount: number }[] {
  return split.map((amount, i) => ({ serial: serials[i] ?? null, amount }));
}
