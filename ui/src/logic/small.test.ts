import { describe, expect, it } from "vitest";
import { isIdle, secondsLeft } from "./idle";
import { won, wonShort } from "./won";
import { isAppError, toAppError, UNEXPECTED } from "./errors";

describe("idle lock", () => {
  const start = 1_000_000;
  it("locks after the policy's minutes without input", () => {
    expect(isIdle(start, start + 5 * 60_000 - 1, 5)).toBe(false);
    expect(isIdle(start, start + 5 * 60_000, 5)).toBe(true);
  });
  it("never locks when the policy sets no limit", () => {
    expect(isIdle(start, start + 10 * 3_600_000, 0)).toBe(false);
  });
  it("counts down the last seconds", () => {
    expect(secondsLeft(start, start + 4 * 60_000, 5)).toBe(60);
    expect(secondsLeft(start, start + 6 * 60_000, 5)).toBe(0);
  });
});

describe("amounts", () => {
  it("group thousands and end in 원", () => {
    expect(won(400000)).toBe("400,000원");
    expect(won(0)).toBe("0원");
  });
  it("read as 만원 when round", () => {
    expect(wonShort(400000)).toBe("40만원");
    expect(wonShort(12_500_000)).toBe("1,250만원");
    expect(wonShort(5000)).toBe("5,000원");
  });
});

describe("errors from the shell", () => {
  it("keep the shell's Korean message", () => {
    const e = { code: "bad_credentials", message: "사번 또는 PIN이 맞지 않습니다" };
    expect(isAppError(e)).toBe(true);
    expect(toAppError(e)).toBe(e);
  });
  it("never show a raw string or trace", () => {
    for (const raw of ["invalid args `input` for command `check`", new Error("boom"), undefined, 42]) {
      expect(toAppError(raw)).toEqual({ code: "unexpected", message: UNEXPECTED });
    }
  });
});
