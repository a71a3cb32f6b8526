import type { CheckView } from "../bindings/CheckView";
import { won } from "../logic/won";

/** The eligibility answer: large, green or red, with what to do next. */
export function Verdict({ check }: { check: CheckView }) {
  return (
    <section class={`verdict ${check.allowed ? "ok" : "no"}`} aria-live="polite">
      <div class="big" data-testid="verdict">
        {check.allowed ? "오늘 지급 가능" : "지급 불가"}
      </div>
      {check.paid ? (
        <div class="warn" data-testid="already-paid">
          {check.paid.detail} — 다시 발급하지 마세요.
        </div>
      ) : (
        <div class="reason" data-testid="verdict-reason">
          {check.message}
        </div>
      )}
      {!check.allowed && !check.paid && check.next.length > 0 && (
        <div class="next-dates" data-testid="next-dates">
          방문 가능한 날: {check.next.join(", ")}
        </div>
      )}
      {check.minor_notice && (
        <div class="warn" data-testid="minor-notice">
          {check.minor_notice}
        </div>
      )}
      {check.check_digit_mismatch && (
        <div class="warn">주민등록번호 끝자리가 맞지 않습니다. 신분증과 다시 대조하세요.</div>
      )}
      <div class="amount" data-testid="amount">
        {check.basis === "household"
          ? `가구당 ${won(check.household_total)}`
          : `1인 ${won(check.per_person)} · 가구 ${won(check.household_total)}`}
      </div>
      {check.shares.length > 1 && (
        <div class="hint">{check.shares.map((s) => `${s.label} ${won(s.amount)}`).join(" + ")}</div>
      )}
    </section>
  );
}
