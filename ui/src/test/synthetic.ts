// Synthetic identity numbers for tests: a real-looking birth date and gender
// digit, a chosen serial, a correct check digit. Never a real person's, and
// no literal numbers in the tests.

const WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

export function syntheticRrn(year: number, month: number, day: number, serial: number): string {
  const gender = year >= 2000 ? 3 : 1;
  const head =
    String(year % 100).padStart(2, "0") +
    String(month).padStart(2, "0") +
    String(day).padStart(2, "0") +
    String(gender) +
    String(serial % 100_000).padStart(5, "0");
  const sum = [...head].reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0);
  return head + String((11 - (sum % 11)) % 10);
}
