import type { CardDisposition } from "../bindings/CardDisposition";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { enterMovesOn, useAction, useLoad } from "../hooks";
import { findIssuances, PAGE } from "../logic/issuances";
import { won } from "../logic/won";
import type { AppStatus } from "../bindings/AppStatus";
import { ChoiceSelect, ErrorBox, Notice } from "../components";

/** Voiding a mistaken issuance: a reason is required, the card goes back to stock or is destroyed. */
export function VoidScreen({ status, refresh }: { status: AppStatus; refresh: () => void }) {
  const list = useLoad(api.issuancesToday);
  const [chosen, setChosen] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [disposition, setDisposition] = useState<CardDisposition>("returned");
  const [done, setDone] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [limit, setLimit] = useState(PAGE);
  const action = useAction();
  const reasonField = useRef<HTMLInputElement>(null);
  const searchField = useRef<HTMLInputElement>(null);
  useEffect(() => (chosen ? reasonField.current : searchField.current)?.focus(), [chosen]);
  const { shown, matched } = findIssuances(list.data ?? [], query, limit);

  const search = (event: Event) => {
    event.preventDefault();
    // One issuance left that can be voided: Enter chooses it.
    const open = shown.filter((r) => !r.voided);
    if (matched === 1 && open.length === 1) setChosen(open[0].id);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    const id = chosen;
    const ok = await action.run(async () => {
      await api.void({ issuance_id: id, reason: reason.trim(), disposition });
      return true;
    });
    if (ok) {
      setDone(`발급 ${id}을(를) 취소했습니다.`);
      setChosen(null);
      setReason("");
      list.reload();
      refresh();
    }
  };

  return (
    <section class="stack">
      <h2>오늘 발급 내역 · 발급 취소</h2>
      <ErrorBox error={list.error} />
      <Notice text={done} />
      <form class="row" onSubmit={search}>
        <label>
          찾기 (카드 번호, 이름, 시각)
          <input
            data-testid="void-search"
            ref={searchField}
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              setLimit(PAGE);
            }}
          />
        </label>
        <span data-testid="void-count">
          {matched}건 중 {shown.length}건 표시
        </span>
      </form>
      <table data-testid="issuances">
        <thead>
          <tr>
            <th>시각</th>
            <th>받은 사람</th>
            <th>카드</th>
            <th class="num">금액</th>
            <th>상태</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id} data-testid="issuance-row">
              <td>{r.issued_at}</td>
              <td>{r.people}</td>
              <td>{r.cards}</td>
              <td class="num">{won(r.total)}</td>
              <td>{r.voided ? `취소됨 (${r.voided})` : r.offline ? "오프라인 발급" : "발급"}</td>
              <td>
                {!r.voided && (
                  <button type="button" data-testid="void-choose" onClick={() => setChosen(r.id)}>
                    취소 선택
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p>오늘 발급한 내역이 없습니다.</p>}
      {list.data && list.data.length > 0 && matched === 0 && <p>찾는 발급이 없습니다.</p>}
      {shown.length < matched && (
        <button type="button" data-testid="void-more" onClick={() => setLimit(limit + PAGE)}>
          더 보기 ({matched - shown.length}건 더)
        </button>
      )}
      {chosen && (
        <form class="stack" onSubmit={submit} onKeyDown={enterMovesOn}>
          <h3>발급 {chosen} 취소</h3>
          <label>
            취소 사유 (필수)
            <input data-testid="void-reason" ref={reasonField} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <label>
            카드 처리
            <ChoiceSelect testid="void-disposition" choices={status.card_dispositions} value={disposition} onChange={setDisposition} />
          </label>
          <ErrorBox error={action.error} />
          <div class="row">
            <button type="submit" class="primary" data-testid="void-submit" disabled={action.busy || !reason.trim()}>
              발급 취소
            </button>
            <button type="button" onClick={() => setChosen(null)}>
              닫기
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
