import { describe, expect, it } from "vitest";
import { assign, normalizeSerial, scan } from "./cards";

describe("scanning card serials", () => {
  it("adds what the scanner typed, tidied", () => {
    expect(normalizeSerial(" gg-0001 \n")).toBe("GG-0001");
    expect(scan([], "gg-0001", 2)).toEqual({ kind: "added", serials: ["GG-0001"] });
  });
  it("refuses the same card twice", () => {
    expect(scan(["GG-0001"], "GG-0001", 2)).toEqual({ kind: "duplicate", serial: "GG-0001" });
  });
  it("refuses one card too many", () => {
    expect(scan(["GG-0001"], "GG-0002", 1)).toEqual({ kind: "full", needed: 1 });
  });
  it("ignores an empty Enter", () => {
    expect(scan([], "  ", 1)).toEqual({ kind: "empty" });
  });
  it("pairs the split with serials in scan order, waiting slots empty", () => {
    expect(assign(["GG-0001"], [500_000, 100_000])).toEqual([
      { serial: "GG-0001", amount: 500_000 },
      { serial: null, amount: 100_000 },
    ]);
  });
});
