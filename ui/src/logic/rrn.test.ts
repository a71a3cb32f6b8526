import { describe, expect, it } from "vitest";
import { birthYearDigit, digitsOf, display, isComplete, masked, nextDigits } from "./rrn";
import { syntheticRrn } from "../test/synthetic";

const person = syntheticRrn(1986, 3, 15, 4242);

describe("identity number field", () => {
  it("keeps only digits, up to thirteen", () => {
    expect(digitsOf(`${person.slice(0, 6)}-${person.slice(6)}`)).toBe(person);
    expect(digitsOf(` ${person} 99`)).toBe(person);
    expect(digitsOf("86a03")).toBe("8603");
  });

  it("shows a hyphen after the birth date while typing", () => {
    expect(display(person.slice(0, 6))).toBe(person.slice(0, 6));
    expect(display(person.slice(0, 8))).toBe(`${person.slice(0, 6)}-${person.slice(6, 8)}`);
  });

  it("masks the number the moment it is complete", () => {
    expect(isComplete(person)).toBe(true);
    expect(display(person)).toBe(`${person.slice(0, 6)}-${person[6]}******`);
    expect(display(person)).not.toContain(person.slice(7));
    expect(masked(person)).toBe(display(person));
  });

  it("starts over when a masked number is edited, and ignores extra digits", () => {
    const shown = display(person);
    expect(nextDigits(person, shown.slice(0, -1))).toBe("");
    expect(nextDigits(person, `${shown}7`)).toBe(person);
    expect(nextDigits(person.slice(0, 12), `${display(person.slice(0, 12))}${person[12]}`)).toBe(person);
  });

  it("reads the birth year's last digit for the weekday rotation", () => {
    expect(birthYearDigit(person)).toBe(6);
    expect(birthYearDigit(syntheticRrn(2003, 1, 1, 1))).toBe(3);
    expect(birthYearDigit("8")).toBeNull();
  });
});
