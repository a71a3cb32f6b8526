// Amounts as a clerk reads them aloud: 400,000원, or 40만원 in short.

const grouping = new Intl.NumberFormat("ko-KR");

export function won(amount: number): string {
  return `${grouping.format(amount)}원`;
}

/** `40만원`, `1,250만원`, `5천원`: for the large verdict line. */
export function wonShort(amount: number): string {
  if (amount >= 10_000 && amount % 10_000 === 0) return `${grouping.format(amount / 10_000)}만원`;
  return won(amount);
}
