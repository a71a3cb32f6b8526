// A supervisor approves offline issuance at this counter once, for a time
// and a number of issuances, instead of walking over for every card; or
// closes the approval in force. The clerk stays signed in throughout.

import { useState } from "preact/hooks";
import type { AppStatus } from "../bindings/AppStatus";
import { api } from "../api";
import { useAction, useFocusOnMount } from "../hooks";
import { ErrorBox } from "../components";

export function OfflineApproval({ status, onDone }: { status: AppStatus; onDone: () => void }) {
  const approval = status.offline_approval;
  const bounds = status.offline_approval_bounds;
  const [employeeId, setEmployeeId] = useState("");
  const [pin, setPin] = useState("");
  const [minutes, setMinutes] = useState(String(bounds.max_minutes));
  const [issuances, setIssuances] = useState(String(bounds.max_issuances));
  const action = useAction();
  const first = useFocusOnMount<HTMLInputElement>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const who = { employee_id: employeeId.trim(), pin };
    const done = await action.run(async () => {
      if (approval) await api.closeOfflineApproval(who);
      else await api.openOfflineApproval({ ...who, minutes: Number(minutes), issuances: Number(issuances) });
      return true;
    });
    if (done) onDone();
  };

  return (
    <div class="dialog" role="dialog" aria-modal="true" data-testid="offline-approval-dialog" onKeyDown={(e) => e.key === "Escape" && onDone()}>
      <div>
        <h2>{approval ? "오프라인 발급 승인 닫기" : "오프라인 발급 승인"}</h2>
        {approval ? (
          <p>
            {approval.opened_by_name} 감독자 승인 · {approval.until}까지 · 남은 {approval.remaining}건
          </p>
        ) : (
          <p>
            원장에 연결되지 않는 동안 이 창구의 오프라인 발급을 한 번에 승인합니다. 건마다 감독자를 부르지 않습니다. 최대{" "}
            {bounds.max_minutes}분, {bounds.max_issuances}건.
          </p>
        )}
        <form class="stack" onSubmit={submit}>
          <div class="row">
            <label>
              감독자 사번
              <input ref={first} data-testid="approval-id" autocomplete="off" size={8} value={employeeId} onInput={(e) => setEmployeeId(e.currentTarget.value)} />
            </label>
            <label>
              감독자 PIN
              <input
                data-testid="approval-pin"
                type="password"
                inputMode="numeric"
                autocomplete="off"
                size={10}
                value={pin}
                onInput={(e) => setPin(e.currentTarget.value)}
              />
            </label>
          </div>
          {!approval && (
            <div class="row">
              <label>
                시간 (분)
                <input data-testid="approval-minutes" inputMode="numeric" size={4} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
              </label>
              <label>
                건수
                <input data-testid="approval-issuances" inputMode="numeric" size={4} value={issuances} onInput={(e) => setIssuances(e.currentTarget.value)} />
              </label>
            </div>
          )}
          <ErrorBox error={action.error} />
          <div class="row">
            <button type="submit" class="primary" data-testid="approval-submit" disabled={action.busy || !employeeId.trim() || !pin}>
              {approval ? "승인 닫기" : "승인 열기"}
            </button>
            <button type="button" onClick={onDone}>
              취소 (Esc)
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
