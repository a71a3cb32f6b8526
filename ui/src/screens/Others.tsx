import type { AppStatus } from "../bindings/AppStatus";
import type { QuoteView } from "../bindings/QuoteView";
import { emptyOther, type Other, type VisitorForm } from "../logic/visitor";
import { won } from "../logic/won";
import { ChoiceSelect } from "../components";
import { RrnInput } from "./RrnInput";

/** Who is paid: the applicant, and the family members they collect for. */
export function Others({
  status,
  form,
  quote,
  update,
}: {
  status: AppStatus;
  form: VisitorForm;
  quote: QuoteView | null;
  update: (patch: Partial<VisitorForm>) => void;
}) {
  const change = (i: number, patch: Partial<Other>) =>
    update({ others: form.others.map((o, j) => (i === j ? { ...o, ...patch } : o)) });
  const relations = status.relations.filter((r) => r.code !== "self");

  return (
    <section class="stack">
      <h3>받는 사람</h3>
      <label class="inline">
        <input type="checkbox" data-testid="self-beneficiary" checked={form.self} onChange={(e) => update({ self: e.currentTarget.checked })} />
        신청인 본인 수령
      </label>
      {form.others.map((o, i) => (
        <div class="row" key={i} data-testid="other">
          <label>
            가족 {i + 1} 주민등록번호
            <RrnInput digits={o.rrn} onDigits={(rrn) => change(i, { rrn })} testid={`other-rrn-${i}`} />
          </label>
          <label>
            이름
            <input size={8} value={o.name} data-testid={`other-name-${i}`} onInput={(e) => change(i, { name: e.currentTarget.value })} />
          </label>
          <label>
            관계
            <ChoiceSelect
              choices={relations}
              value={o.relation || undefined}
              placeholder="관계 선택"
              testid={`other-relation-${i}`}
              onChange={(relation) => change(i, { relation })}
            />
          </label>
          <label>
            가구원 수
            <input size={3} inputMode="numeric" value={o.householdSize} onInput={(e) => change(i, { householdSize: e.currentTarget.value })} />
          </label>
          <label>
            주소지
            <select value={o.sigungu} onChange={(e) => change(i, { sigungu: e.currentTarget.value })}>
              {status.regions.map((r) => (
                <option value={r.code} key={r.code}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => update({ others: form.others.filter((_, j) => j !== i) })}>
            삭제
          </button>
        </div>
      ))}
      <div class="row">
        <button type="button" data-testid="add-other" onClick={() => update({ others: [...form.others, emptyOther(form)] })}>
          가족 추가
        </button>
        <label class="inline">
          <input type="checkbox" checked={form.householdOfMinors} onChange={(e) => update({ householdOfMinors: e.currentTarget.checked })} />
          미성년자만으로 이루어진 가구
        </label>
      </div>
      {quote && (
        <table data-testid="quote">
          <tbody>
            {quote.lines.map((l) => (
              <tr key={l.masked}>
                <td>{l.name}</td>
                <td>{l.masked}</td>
                <td class="num">{won(l.amount)}</td>
                <td class="warn">{l.paid?.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
