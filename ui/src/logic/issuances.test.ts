import { describe, expect, it } from "vitest";
import type { IssuanceRow } from "../bindings/IssuanceRow";
import { findIssuances, PAGE } from "./issuances";

function row(n: number, extra: Partial<IssuanceRow> = {}): IssuanceRow {
  return {
    id: `issuance-${n}`,
    issued_at: `10:${String(n % 60).padStart(2, "0")}`,
    clerk: "C001",
    people: `주민${n} 900101-1******`,
    cards: `GG-${String(n).padStart(4, "0")}`,
    total: 100_000,
    offline: false,
    voided: null,
    ...extra,
  };
}

// Newest first, as the shell sends them.
const day = Array.from({ length: 500 }, (_, i) => row(500 - i));

describe("the void screen's list", () => {
  it("shows a page of the newest at first and says how many there are", () => {
    const { shown, matched } = findIssuances(day, "", PAGE);
    expect(matched).toBe(500);
    expect(shown).toHaveLength(PAGE);
    expect(shown[0].cards).toBe("GG-0500");
    expect(shown[PAGE - 1].cards).toBe("GG-0451");
  });

  it("finds a card serial however it is typed", () => {
    for (const query of ["GG-0042", "gg-0042", " GG-00 42 "]) {
      const { shown, matched } = findIssuances(day, query, PAGE);
      expect(matched).toBe(1);
      expect(shown[0].id).toBe("issuance-42");
    }
  });

  it("finds by name among several, keeping the order", () => {
    const { shown, matched } = findIssuances(day, "주민12", PAGE);
    // 주민12 and 주민120..129
    expect(matched).toBe(11);
    expect(shown.map((r) => r.cards)[0]).toBe("GG-0129");
    expect(shown.at(-1)?.cards).toBe("GG-0012");
  });

  it("shows more when asked, and nothing when nothing matches", () => {
    expect(findIssuances(day, "", 2 * PAGE).shown).toHaveLength(2 * PAGE);
    expect(findIssuances(day, "", 10_000).shown).toHaveLength(500);
    expect(findIssuances(day, "NH-9999", PAGE)).toEqual({ shown: [], matched: 0 });
  });
});
