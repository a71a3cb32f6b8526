import { useState } from "preact/hooks";
import { api } from "../api";
import { useAction, useLoad } from "../hooks";
import { ErrorBox } from "../components";

/**
 * Two payments to one person, found when offline issuances reached the
 * ledger. Resolved by voiding ours (발급 취소 tab) or accepting both with a note.
 */
export function Conflicts({ refresh }: { refresh: () => void }) {
  const list = useLoad(api.conflicts);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const action = useAction();

  const accept = async (id: string) => {
    const ok = await action.run(async () => {
      await api.acceptConflict(id, (notes[id] ?? "").trim());
      return true;
    });
    if (ok) {
      list.reload();
      refresh();
    }
  };

  return (
    <section class="stack">
      <h2>충돌 처리</h2>
      <p class="hint">우리 발급을 취소하려면 발급 취소 화면을 쓰세요. 두 지급을 모두 인정하려면 사유를 적고 인정하세요.</p>
      <ErrorBox error={list.error ?? action.error} />
      <table data-testid="conflicts">
        <thead>
          <tr>
            <th>발견</th>
            <th>상태</th>
            <th>먼저 지급</th>
            <th>다른 지급</th>
            <th>우리 발급</th>
            <th>처리</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.detected_at}</td>
              <td>{c.status_label}</td>
              <td>{c.standing}</td>
              <td>{c.other}</td>
              <td>
                {c.our_issuance ?? "-"}
                {c.our_cards.map((card) => (
                  <div key={card} class="hint" data-testid="conflict-card">
                    {card}
                  </div>
                ))}
              </td>
              <td>
                {!c.open ? (
                  c.note ?? ""
                ) : (
                  <div class="row">
                    <input placeholder="인정 사유" value={notes[c.id] ?? ""} onInput={(e) => setNotes({ ...notes, [c.id]: e.currentTarget.value })} />
                    <button type="button" disabled={action.busy || !(notes[c.id] ?? "").trim()} onClick={() => accept(c.id)}>
                      모두 인정
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p>처리할 충돌이 없습니다.</p>}
    </section>
  );
}
