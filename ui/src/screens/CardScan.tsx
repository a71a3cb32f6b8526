import { useRef, useState } from "preact/hooks";
import type { QuoteView } from "../bindings/QuoteView";
import { api } from "../api";
import { toAppError } from "../logic/errors";
import { assign, scan } from "../logic/cards";
import { won } from "../logic/won";

/** Cards scanned (a scanner types the serial and Enter) or typed, and the split across them. */
export function CardScan({
  quote,
  serials,
  setSerials,
}: {
  quote: QuoteView;
  serials: string[];
  setSerials: (serials: string[]) => void;
}) {
  const [text, setText] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const needed = quote.cards.length;
  // The check at the scan is asked of the store: one at a time, so a
  // second scan cannot slip in on a list the first has not settled yet.
  const checking = useRef(false);

  const onKeyDown = async (event: KeyboardEvent) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (checking.current) return;
    const result = scan(serials, text, needed);
    switch (result.kind) {
      case "added":
        setText("");
        checking.current = true;
        try {
          // Unknown here, not in the drawer, too small for its amount:
          // refused now, before anyone approves the issuance.
          await api.checkCards({ serials: result.serials, amounts: quote.cards });
          setSerials(result.serials);
          setNote(null);
        } catch (e) {
          setNote(toAppError(e).message);
        } finally {
          checking.current = false;
        }
        break;
      case "duplicate":
        setNote(`이미 스캔한 카드입니다: ${result.serial}`);
        setText("");
        break;
      case "full":
        setNote(`카드는 ${result.needed}장이면 됩니다`);
        setText("");
        break;
      case "empty":
        break;
    }
  };

  return (
    <section class="stack">
      <h3>
        카드 {needed}장 · 총 {won(quote.total)}
      </h3>
      <ol data-testid="card-split">
        {assign(serials, quote.cards).map((c, i) => (
          <li key={i}>
            {won(c.amount)} → {c.serial ?? <span class="hint">스캔 대기</span>}
            {c.serial && (
              <button type="button" class="no-print" onClick={() => setSerials(serials.filter((s) => s !== c.serial))}>
                빼기
              </button>
            )}
          </li>
        ))}
      </ol>
      <label>
        카드 일련번호 (스캔 또는 입력 후 Enter)
        <input
          data-testid="card-serial"
          data-enter="own"
          autocomplete="off"
          value={text}
          disabled={serials.length >= needed}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
      </label>
      {note && (
        <div class="warn" role="alert" data-testid="card-note">
          {note}
        </div>
      )}
    </section>
  );
}
