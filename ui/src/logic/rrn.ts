// The identity number as the clerk types it. The full number lives only in
// the form's state; the field shows it masked the moment it is complete, so
// the person behind the visitor cannot read it off the screen.

export const RRN_DIGITS = 13;

/** Digits only: the field accepts `860315-1234567`, spaces, a scanner's Enter. */
export function digitsOf(text: string): string {
  return text.replace(/\D/g, "").slice(0, RRN_DIGITS);
}

export function isComplete(digits: string): boolean {
  return digits.length === RRN_DIGITS;
}

/** `860315-1******`: birth date and the gender digit, as on every receipt. */
export function masked(digits: string): string {
  return `${digits.slice(0, 6)}-${digits[6]}******`;
}

/** What the field shows: the number as typed with a hyphen, masked once complete. */
export function display(digits: string): string {
  if (isComplete(digits)) return masked(digits);
  return digits.length > 6 ? `${digits.slice(0, 6)}-${digits.slice(6)}` : digits;
}

/**
 * The next digits after the field changed to `shown`. A masked number cannot
 * be edited in place (its digits are hidden), so deleting from it starts
 * over, and typing more into it changes nothing.
 */
export function nextDigits(current: string, shown: string): string {
  if (isComplete(current)) {
    return shown.length < masked(current).length ? "" : current;
  }
  return digitsOf(shown);
}

/** The birth year's last digit, which decides the 5-day rotation (요일제). */
export function birthYearDigit(digits: string): number | null {
  return digits.length >= 2 ? Number(digits[1]) : null;
}
