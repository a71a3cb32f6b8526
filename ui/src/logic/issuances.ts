// The void screen's list: a supervisor looks for one issuance among the
// day's hundreds, so the list is searched and shown a page at a time.
// (All 500 rows of a busy day on screen cost the web view about 27 MB.)

import type { IssuanceRow } from "../bindings/IssuanceRow";

/** Rows shown at first, and added by each "더 보기". */
export const PAGE = 50;

const squeeze = (text: string) => text.replace(/\s+/g, "").toLowerCase();

/**
 * The rows (newest first, as they come) whose time, names, masked numbers,
 * card serials or id contain `query`, spaces ignored; at most `limit` of
 * them, and how many matched in all.
 */
export function findIssuances(
  rows: readonly IssuanceRow[],
  query: string,
  limit: number,
): { shown: IssuanceRow[]; matched: number } {
  const wanted = squeeze(query);
  const matching = wanted
    ? rows.filter((r) => [r.issued_at, r.people, r.cards, r.id].some((field) => squeeze(field).includes(wanted)))
    : rows;
  return { shown: matching.slice(0, limit), matched: matching.length };
}
