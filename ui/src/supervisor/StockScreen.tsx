import { useState } from "preact/hooks";
import { api } from "../api";
import { enterMovesOn, useAction, useLoad } from "../hooks";
import { normalizeSerial } from "../logic/cards";
import { won } from "../logic/won";
import { ErrorBox, Notice } from "../components";

/** The counter's card stock, and receiving a delivered range of cards. */
export function StockScreen({ refresh }: { refresh: () => void }) {
  const stock = useLoad(api.stock);
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [face, setFace] = useState("");
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const faceValue = /^\d+$/.test(face.replace(/,/g, "")) ? Number(face.replace(/,/g, "")) : null;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (faceValue === null) return;
    const count = await action.run(() =>
      api.receiveStock({ first: normalizeSerial(first), last: normalizeSerial(last), face_value: faceValue, note: note.trim() }),
    );
    if (count !== undefined) {
      setDone(`카드 ${count}장을 입고했습니다.`);
      setFirst("");
      setLast("");
      stock.reload();
      refresh();
    }
  };

  return (
    <section class="stack">
      <h2>카드 재고</h2>
      <ErrorBox error={stock.error} />
      <table data-testid="stock">
        <thead>
          <tr>
            <th class="num">권종</th>
            <th class="num">보유</th>
            <th class="num">발급</th>
            <th class="num">훼손</th>
            <th class="num">분실</th>
          </tr>
        </thead>
        <tbody>
          {(stock.data ?? []).map((s) => (
            <tr key={s.face_value}>
              <td class="num">{won(s.face_value)}</td>
              <td class="num">{s.on_hand}</td>
              <td class="num">{s.issued}</td>
              <td class="num">{s.damaged}</td>
              <td class="num">{s.lost}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="stack" onSubmit={submit} onKeyDown={enterMovesOn}>
        <h3>카드 입고</h3>
        <div class="row">
          <label>
            첫 일련번호
            <input data-testid="stock-first" value={first} placeholder="GG-0501" onInput={(e) => setFirst(e.currentTarget.value)} />
          </label>
          <label>
            끝 일련번호
            <input data-testid="stock-last" value={last} placeholder="GG-0600" onInput={(e) => setLast(e.currentTarget.value)} />
          </label>
          <label>
            권종 (원)
            <input data-testid="stock-face" inputMode="numeric" value={face} onInput={(e) => setFace(e.currentTarget.value)} />
          </label>
          <label>
            메모
            <input value={note} placeholder="인수증 번호 등" onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
        </div>
        <ErrorBox error={action.error} />
        <Notice text={done} />
        <button type="submit" class="primary" data-testid="stock-submit" disabled={action.busy || !first.trim() || !last.trim() || faceValue === null}>
          입고
        </button>
      </form>
    </section>
  );
}
