import type { AppStatus } from "../bindings/AppStatus";

/** The copy of the resident roll: none, the download's progress, or its version. */
function rollText(status: AppStatus): string {
  const roll = status.roll;
  if (roll.received !== null) {
    const percent = roll.expected ? Math.floor((100 * roll.received) / roll.expected) : null;
    return `주민 명부 받는 중${percent !== null ? ` ${percent}%` : ""} (${roll.received.toLocaleString("ko-KR")}명)`;
  }
  return roll.version === 0 ? "주민 명부 없음" : `주민 명부 v${roll.version}`;
}

/** Online or not, the last contact, what waits to be pushed, the stock. */
export function StatusBar({ status, onApproval }: { status: AppStatus; onApproval: () => void }) {
  const sync = status.sync;
  const state = !sync.enrolled ? "오프라인 (원장 미등록)" : sync.online ? "온라인" : "오프라인";
  const approval = status.offline_approval;
  const offline = !(sync.enrolled && sync.online);
  return (
    <footer class="status">
      {approval ? (
        <button type="button" class="link" data-testid="offline-approval" onClick={onApproval} title="F8: 승인 닫기">
          오프라인 승인 중 · {approval.opened_by_name} · {approval.until}까지 · 남은 {approval.remaining}건
        </button>
      ) : (
        status.offline_mode === "supervisor" &&
        offline && (
          <button type="button" class="link" data-testid="offline-approval-open" onClick={onApproval}>
            오프라인 승인 (F8)
          </button>
        )
      )}
      <span data-testid="sync-status">
        <span class={sync.enrolled && sync.online ? "online" : "offline"}>{state}</span>
        {" · "}마지막 동기화 {sync.last_contact ?? "없음"}
        {" · "}전송 대기 {sync.pending}건
        {sync.rejected > 0 && <span class="warn"> · 거부 {sync.rejected}건</span>}
        {sync.open_conflicts > 0 && <span class="warn"> · 충돌 {sync.open_conflicts}건</span>}
      </span>
      <span data-testid="roll-status">
        {rollText(status)}
        {status.roll.received !== null && status.roll.expected !== null && (
          <progress data-testid="roll-progress" max={status.roll.expected} value={status.roll.received} />
        )}
      </span>
      <span data-testid="stock-count">보유 카드 {status.cards_on_hand}장</span>
      {status.day_closed && (
        <span class="warn" data-testid="day-closed">
          오늘 마감됨 (발급 불가)
        </span>
      )}
      <span>{status.now.replace("T", " ").slice(0, 16)}</span>
    </footer>
  );
}
