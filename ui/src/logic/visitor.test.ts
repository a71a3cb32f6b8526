import { describe, expect, it } from "vitest";
import type { CheckView } from "../bindings/CheckView";
import { amountLine, cautions, checkInput, emptyForm, emptyOther, householdSize, householdSizeNote, issueInput, needsApprover, peopleReady, problems } from "./visitor";
import { syntheticRrn } from "../test/synthetic";

const SUWON = "41110";
const applicant = syntheticRrn(1986, 3, 15, 1);
const child = syntheticRrn(2012, 6, 1, 2);

describe("household size", () => {
  it("accepts 1 to 30 people", () => {
    expect(householdSize("1")).toBe(1);
    expect(householdSize(" 4 ")).toBe(4);
    expect(householdSize("30")).toBe(30);
  });
  it("refuses nothing, zero, words and absurd sizes", () => {
    for (const text of ["", "0", "31", "4명", "-1", "2.5", "999"]) expect(householdSize(text)).toBeNull();
  });
});

describe("when the rules are asked", () => {
  it("waits for the full number, and asks without a size for the roll to give it", () => {
    const form = emptyForm(SUWON);
    expect(checkInput(form)).toBeNull();
    expect(checkInput({ ...form, rrn: applicant.slice(0, 12), householdSize: "4" })).toBeNull();
    expect(checkInput({ ...form, rrn: applicant })).toEqual({ rrn: applicant, household_size: null, resident_sigungu: SUWON });
    expect(checkInput({ ...form, rrn: applicant, householdSize: "0" })?.household_size).toBeNull();
  });
  it("asks with the site's 시군 unless the clerk chose another", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "4" };
    expect(checkInput(form)).toEqual({ rrn: applicant, household_size: 4, resident_sigungu: SUWON });
    expect(checkInput({ ...form, sigungu: "41190" })?.resident_sigungu).toBe("41190");
  });
});

describe("what stands between the form and an issuance", () => {
  it("names every missing field in Korean", () => {
    const todo = problems(emptyForm(SUWON));
    expect(todo).toContain("주민등록번호 13자리를 입력하세요");
    expect(todo).toContain("신청인 이름을 입력하세요");
    expect(todo.some((t) => t.startsWith("가구원 수"))).toBe(true);
  });
  it("is empty for a complete applicant collecting for themself", () => {
    expect(problems({ ...emptyForm(SUWON), rrn: applicant, householdSize: "1", name: "홍길동" })).toEqual([]);
  });
  it("refuses a family member typed twice or the applicant again", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "3", name: "홍길동" };
    const kin = { ...emptyOther(form), relation: "lineal_relative" as const };
    const twice = { ...form, others: [{ ...kin, rrn: child, name: "홍아이" }, { ...kin, rrn: child, name: "홍아이" }] };
    expect(problems(twice)).toEqual(["가족 2: 이미 입력한 사람입니다"]);
    const self = { ...form, others: [{ ...kin, rrn: applicant, name: "홍길동" }] };
    expect(problems(self)).toEqual(["가족 1: 이미 입력한 사람입니다"]);
  });
  it("needs someone to pay", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "1", name: "홍길동", self: false };
    expect(problems(form)).toHaveLength(1);
    expect(peopleReady(form)).toBe(false);
  });
});

describe("the household size as typed", () => {
  it("says at once what is wrong with it, and nothing while it is empty or fine", () => {
    expect(householdSizeNote("")).toBeNull();
    expect(householdSizeNote("4")).toBeNull();
    expect(householdSizeNote("0")).toBe("가구원 수는 1~30명입니다");
    expect(householdSizeNote("31")).toBe("가구원 수는 1~30명입니다");
    expect(householdSizeNote("a")).toBe("가구원 수는 1~30명입니다");
  });
});

describe("the issuance the form becomes", () => {
  it("pays the applicant as `self` and family members with their relation", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "3", name: " 홍길동 " };
    const unchosen = { ...form, others: [{ ...emptyOther(form), rrn: `${child.slice(0, 6)}-${child.slice(6)}`, name: "홍아이" }] };
    // No relation is assumed for a family member: the clerk chooses one.
    expect(peopleReady(unchosen)).toBe(false);
    expect(problems(unchosen)).toEqual(["가족 1: 관계를 고르세요"]);
    const withChild = { ...unchosen, others: [{ ...unchosen.others[0], relation: "lineal_relative" as const }] };
    expect(peopleReady(withChild)).toBe(true);
    const input = issueInput(withChild, ["GG-0001"], null);
    expect(input.applicant_name).toBe("홍길동");
    expect(input.cards).toEqual(["GG-0001"]);
    expect(input.beneficiaries).toEqual([
      { rrn: "", member: null, name: "", relation: "self", household_size: 3, resident_sigungu: SUWON },
      { rrn: child, member: null, name: "홍아이", relation: "lineal_relative", household_size: 3, resident_sigungu: SUWON },
    ]);
  });
  it("pays members ticked on the roll by their key, once each has a relation", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, name: "홍길동", members: { ab12: "" as const } };
    expect(problems(form, true)).toEqual(["선택한 세대원의 관계를 고르세요"]);
    expect(peopleReady(form)).toBe(false);
    const chosen = { ...form, members: { ab12: "spouse" as const } };
    expect(problems(chosen, true)).toEqual([]);
    expect(peopleReady(chosen)).toBe(true);
    // Without the roll, the size would be asked.
    expect(problems(chosen, false).some((t) => t.startsWith("가구원 수"))).toBe(true);
    expect(issueInput(chosen, [], null).beneficiaries).toEqual([
      { rrn: "", member: null, name: "", relation: "self", household_size: null, resident_sigungu: SUWON },
      { rrn: "", member: "ab12", name: "", relation: "spouse", household_size: null, resident_sigungu: SUWON },
    ]);
  });
  it("leaves the applicant out when they only collect for others", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "3", name: "홍길동", self: false };
    const input = issueInput({ ...form, others: [{ ...emptyOther(form), rrn: child, name: "홍아이" }] }, [], null);
    expect(input.beneficiaries.map((b) => b.relation)).toEqual(["lineal_relative"]);
  });
  it("carries a supervisor's approval only when given", () => {
    const form = { ...emptyForm(SUWON), rrn: applicant, householdSize: "1", name: "홍길동" };
    expect(issueInput(form, [], { employee_id: "S001", pin: "x" }).approver?.employee_id).toBe("S001");
    expect(issueInput(form, [], null).approver).toBeNull();
  });
});

describe("supervisor approval for offline issuance", () => {
  it("is asked when the policy wants it and the ledger is not reachable", () => {
    expect(needsApprover("supervisor", false, false)).toBe(true);
    expect(needsApprover("supervisor", true, false)).toBe(true);
    expect(needsApprover("supervisor", true, true)).toBe(false);
    expect(needsApprover("allow", false, false)).toBe(false);
    expect(needsApprover("refuse", false, false)).toBe(false);
  });
});

describe("the verdict's cautions and amount", () => {
  const allowed: CheckView = {
    allowed: true,
    reason: "allowed",
    message: "",
    next: [],
    masked: "860505-1******",
    foreign: false,
    age: 34,
    check_digit_mismatch: false,
    minor_notice: null,
    per_person: 100_000,
    household_total: 400_000,
    shares: [],
    basis: "person",
    paid: null,
    household: null,
    household_size: 4,
  };
  it("asks for an acknowledgement of a failed check digit and of a minor, and of nothing else", () => {
    expect(cautions(allowed)).toEqual([]);
    expect(cautions({ ...allowed, check_digit_mismatch: true })).toHaveLength(1);
    expect(cautions({ ...allowed, check_digit_mismatch: true, minor_notice: "법정대리인이 신청합니다" })).toEqual([
      expect.stringContaining("검증번호"),
      "법정대리인이 신청합니다",
    ]);
  });
  it("says what is paid now: the visitor alone, or each person counted", () => {
    expect(amountLine(allowed, 1)).toBe("본인 100,000원");
    expect(amountLine(allowed, 3)).toBe("1인 100,000원 × 3명 = 300,000원");
    expect(amountLine({ ...allowed, basis: "household" }, 1)).toBe("가구당 400,000원");
  });
});
