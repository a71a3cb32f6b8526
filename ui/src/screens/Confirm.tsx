import { useEffect, useRef, useState } from "preact/hooks";
import type { Approver } from "../bindings/Approver";
import type { AppError } from "../bindings/AppError";
import type { QuoteView } from "../bindings/QuoteView";
import type { OfflineApprovalView } from "../bindings/OfflineApprovalView";
import { won } from "../logic/won";
import { assign } from "../logic/cards";
import { ErrorBox } from "../components";

/**
 * The last step before money moves: it names the total and the cards, and
 * asks a supervisor to approve when the counter is issuing offline.
 */
export function Confirm(props: {
  quote: QuoteView;
  serials: string[];
  askApprover: boolean;
  /** The counter's approval this offline issuance goes under, if any. */
  approval: OfflineApprovalView | null;
  busy: boolean;
  error: AppError | null;
  onConfirm: (approver: Approver | null) => void;
  onCancel: () => void;
}) {
  const { quote, serials, askApprover, busy, error } = props;
  const [employeeId, setEmployeeId] = useState("");
  const [pin, setPin] = useState("");
  const first = useRef<HTMLInputElement>(null);
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => (askApprover ? first.current : ok.current)?.focus(), [askApprover]);

  const confirm = (event: Event) => {
    event.preventDefault();
    props.onConfirm(askApprover ? { employee_id: employeeId.trim(), pin } : null);
  };

  return (
    <div class="dialog" role="dialog" aria-modal="true" onKeyDown={(e) => e.key === "Escape" && props.onCancel()}>
      <div>
        <h2>발급 확인</h2>
        <p class="total" data-testid="confirm-total">
          총 {won(quote.total)}
        </p>
        <p>
          {quote.lines.map((l) => `${l.name} ${won(l.amount)}`).join(", ")}
          <br />
          카드 {quote.cards.length}장: {assign(serials, quote.cards).map((c) => `${c.serial} ${won(c.amount)}`).join(", ")}
        </p>
        <form class="stack" onSubmit={confirm}>
          {askApprover && (
            <>
              <p class="warn">원장에 연결되지 않아 오프라인으로 발급합니다. 감독자 승인이 필요합니다.</p>
              <div class="row">
                <label>
                  감독자 사번
                  <input
                    ref={first}
                    data-testid="approver-id"
                    autocomplete="off"
                    value={employeeId}
                    onInput={(e) => setEmployeeId(e.currentTarget.value)}
                  />
                </label>
                <label>
                  감독자 PIN
                  <input
                    data-testid="approver-pin"
                    type="password"
                    inputMode="numeric"
                    autocomplete="off"
                    value={pin}
                    onInput={(e) => setPin(e.currentTarget.value)}
                  />
                </label>
              </div>
            </>
          )}
          {props.approval && (
            <p class="warn" data-testid="confirm-approval">
              오프라인 발급: {props.approval.opened_by_name} 감독자 승인 ({props.approval.until}까지, 남은 {props.approval.remaining}건)
            </p>
          )}
          <ErrorBox error={error} />
          <div class="row">
            <button type="submit" class="primary" ref={ok} data-testid="issue-confirm" disabled={busy || (askApprover && (!employeeId.trim() || !pin))}>
              {busy ? "발급 중…" : `${won(quote.total)} 발급 확정`}
            </button>
            <button type="button" onClick={props.onCancel}>
              취소 (Esc)
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
