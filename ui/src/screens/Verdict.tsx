import type { CheckView } from "../bindings/CheckView";
import { won } from "../logic/won";

/**
 * The eligibility answer: large, green or red, with what to do next; amber
 * while a caution waits for the clerk's acknowledgement.
 */
export function Verdict({
  check,
  cautions,
  acknowledged,
  onAcknowledge,
  amount,
}: {
  check: CheckView;
  cautions: string[];
  acknowledged: boolean;
  onAcknowledge: (on: boolean) => void;
  /** What is paid now, as the form stands. */
  amount: string;
}) {
  const caution = check.allowed && cautions.length > 0 && !acknowledged;
  return (
    <section class={`verdict ${caution ? "caution" : check.allowed ? "ok" : "no"}`} aria-live="polite">
      <div class="big" data-testid="verdict">
        {!check.allowed ? "지급 불가" : caution ? "확인 후 지급 가능" : "오늘 지급 가능"}
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
      {cautions.length > 0 && (
        <ul class="caution-list" data-testid="cautions">
          {cautions.map((c) => (
            <li key={c} data-testid={c === check.minor_notice ? "minor-notice" : "caution"}>
              {c}
            </li>
          ))}
        </ul>
      )}
      {check.allowed && cautions.length > 0 && (
        <label class="inline">
          <input type="checkbox" data-testid="acknowledge" checked={acknowledged} onChange={(e) => onAcknowledge(e.currentTarget.checked)} />
          위 내용을 확인했습니다
        </label>
      )}
      <div class="amount" data-testid="amount">
        {amount}
      </div>
      {check.shares.length > 1 && (
        <div class="hint">{check.shares.map((s) => `${s.label} ${won(s.amount)}`).join(" + ")}</div>
      )}
    </section>
  );
}
