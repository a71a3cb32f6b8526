// The visitor form: what the clerk has typed, when it is complete enough to
// ask the rules, and the issuance it becomes. Pure, so it is tested without
// a window.

import type { IdDocument } from "../bindings/IdDocument";
import type { OfflineMode } from "../bindings/OfflineMode";
import type { Relation } from "../bindings/Relation";
import type { CheckInput } from "../bindings/CheckInput";
import type { IssueInput } from "../bindings/IssueInput";
import type { BeneficiaryInput } from "../bindings/BeneficiaryInput";
import type { Approver } from "../bindings/Approver";
import type { CheckView } from "../bindings/CheckView";
import { digitsOf, isComplete } from "./rrn";

/** Someone the applicant collects for (a family member), as typed. */
export interface Other {
  rrn: string;
  name: string;
  /** "" until chosen: no relation is assumed (a spouse is not a child). */
  relation: Relation | "";
  householdSize: string;
  sigungu: string;
}

export interface VisitorForm {
  /** The applicant's identity number, digits only. */
  rrn: string;
  householdSize: string;
  sigungu: string;
  name: string;
  idDocument: IdDocument;
  /** The applicant is paid too (not only collecting for others). */
  self: boolean;
  others: Other[];
  /** Members of the household on the roll the applicant collects for, by
   * key, with the relation chosen ("" until chosen). */
  members: Record<string, Relation | "">;
  householdOfMinors: boolean;
}

export const MAX_HOUSEHOLD = 30;

export function emptyForm(siteSigungu: string, idDocument: IdDocument = "resident_card"): VisitorForm {
  return {
    rrn: "",
    householdSize: "",
    sigungu: siteSigungu,
    name: "",
    idDocument,
    self: true,
    others: [],
    members: {},
    householdOfMinors: false,
  };
}

/** What is wrong with a household size typed so far, in the clerk's words (null: nothing, or nothing yet). */
export function householdSizeNote(text: string): string | null {
  if (text.trim() === "" || householdSize(text) !== null) return null;
  return `가구원 수는 1~${MAX_HOUSEHOLD}명입니다`;
}

/** The household size as a number, or null while it is not a sensible one. */
export function householdSize(text: string): number | null {
  if (!/^\d{1,2}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 1 && n <= MAX_HOUSEHOLD ? n : null;
}

/**
 * The eligibility question, once the number is in: where the roll lists
 * the visitor it says the household size, so the size typed (if any) goes
 * along only for a terminal without one.
 */
export function checkInput(form: VisitorForm): CheckInput | null {
  if (!isComplete(form.rrn) || !form.sigungu) return null;
  return { rrn: form.rrn, household_size: householdSize(form.householdSize), resident_sigungu: form.sigungu };
}

export function emptyOther(form: VisitorForm): Other {
  return {
    rrn: "",
    name: "",
    relation: "",
    householdSize: form.householdSize,
    sigungu: form.sigungu,
  };
}

/**
 * What still stands between the form and an issuance, in the clerk's words.
 * `onRoll`: the roll lists the applicant's household (no size to type).
 */
export function problems(form: VisitorForm, onRoll = false): string[] {
  const out: string[] = [];
  if (!isComplete(form.rrn)) out.push("주민등록번호 13자리를 입력하세요");
  if (!onRoll && householdSize(form.householdSize) === null) out.push(`가구원 수를 1~${MAX_HOUSEHOLD} 사이로 입력하세요`);
  if (!form.name.trim()) out.push("신청인 이름을 입력하세요");
  const members = Object.values(form.members);
  if (!form.self && form.others.length === 0 && members.length === 0)
    out.push("받을 사람이 없습니다: 본인 수령을 선택하거나 가족을 추가하세요");
  if (members.some((r) => r === "")) out.push("선택한 세대원의 관계를 고르세요");
  const seen = new Set([form.rrn]);
  form.others.forEach((o, i) => {
    const who = `가족 ${i + 1}`;
    const digits = digitsOf(o.rrn);
    if (!isComplete(digits)) out.push(`${who}: 주민등록번호 13자리를 입력하세요`);
    else if (seen.has(digits)) out.push(`${who}: 이미 입력한 사람입니다`);
    seen.add(digits);
    if (!o.name.trim()) out.push(`${who}: 이름을 입력하세요`);
    if (o.relation === "") out.push(`${who}: 관계를 고르세요`);
    if (householdSize(o.householdSize) === null) out.push(`${who}: 가구원 수를 입력하세요`);
  });
  return out;
}

/** The issuance the form describes; `cards` in scan order. */
export function issueInput(form: VisitorForm, cards: string[], approver: Approver | null): IssueInput {
  const size = householdSize(form.householdSize);
  const beneficiaries: BeneficiaryInput[] = [
    ...(form.self
      ? [{ rrn: "", member: null, name: "", relation: "self" as const, household_size: size, resident_sigungu: form.sigungu }]
      : []),
    ...Object.entries(form.members).map(([key, relation]) => ({
      rrn: "",
      member: key,
      name: "",
      relation: relation || ("lineal_relative" as const),
      household_size: null,
      resident_sigungu: form.sigungu,
    })),
    ...form.others.map((o) => ({
      rrn: digitsOf(o.rrn),
      member: null,
      name: o.name.trim(),
      relation: o.relation || ("lineal_relative" as const),
      household_size: householdSize(o.householdSize),
      resident_sigungu: o.sigungu,
    })),
  ];
  return {
    applicant_rrn: form.rrn,
    applicant_name: form.name.trim(),
    id_document: form.idDocument,
    beneficiaries,
    cards,
    household_of_minors: form.householdOfMinors,
    approver,
  };
}

/**
 * Whether the confirm step should ask a supervisor to approve: the policy
 * wants one for offline issuance and the ledger is not known to be reachable.
 */
export function needsApprover(offlineMode: OfflineMode, enrolled: boolean, online: boolean): boolean {
  return offlineMode === "supervisor" && !(enrolled && online);
}

/** Whether everyone to be paid is typed in fully, so the amounts can be quoted. */
export function peopleReady(form: VisitorForm): boolean {
  const members = Object.values(form.members);
  if (!form.self && form.others.length === 0 && members.length === 0) return false;
  if (members.some((r) => r === "")) return false;
  return form.others.every(
    (o) => isComplete(digitsOf(o.rrn)) && o.name.trim() !== "" && o.relation !== "" && householdSize(o.householdSize) !== null,
  );
}

/**
 * What the clerk must see to before paying someone the rules allow: a
 * number whose check digit fails (misread from the card?), a minor (who
 * may collect for them). Each needs an explicit acknowledgement.
 */
export function cautions(check: CheckView): string[] {
  const out: string[] = [];
  if (check.check_digit_mismatch) out.push("주민등록번호 끝자리(검증번호)가 맞지 않습니다. 신분증과 다시 대조하세요.");
  if (check.minor_notice) out.push(check.minor_notice);
  return out;
}

/** The amount line of the verdict: what is paid now, to whom. */
export function amountLine(check: CheckView, people: number): string {
  const won = (n: number) => `${n.toLocaleString("ko-KR")}원`;
  if (check.basis === "household") return `가구당 ${won(check.household_total)}`;
  if (people <= 1) return `본인 ${won(check.per_person)}`;
  return `1인 ${won(check.per_person)} × ${people}명 = ${won(check.per_person * people)}`;
}
