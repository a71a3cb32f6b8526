// The applicant's household as the resident roll lists it: each member
// masked, with their age and whether they were paid already. The clerk
// ticks whom the applicant collects for instead of typing numbers:
// arrows move, space ticks, Enter goes on.

import type { MemberView } from "../bindings/MemberView";
import type { Choice } from "../bindings/Choice";
import type { Relation } from "../bindings/Relation";
import { ChoiceSelect } from "../components";

export function Household({
  members,
  ticked,
  relations,
  onTick,
  onRelation,
  onDone,
}: {
  members: MemberView[];
  /** Ticked members by key, with the relation chosen ("" until chosen). */
  ticked: Record<string, Relation | "">;
  relations: Choice<Relation>[];
  onTick: (member: MemberView, on: boolean) => void;
  onRelation: (key: string, relation: Relation) => void;
  onDone: () => void;
}) {
  const boxes = () => Array.from(document.querySelectorAll<HTMLInputElement>("[data-member-box]"));
  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (!target.dataset.memberBox) return;
    const all = boxes();
    const at = all.indexOf(target as HTMLInputElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = all[at + (event.key === "ArrowDown" ? 1 : -1)];
      next?.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      event.stopPropagation();
      onDone();
    }
  };
  return (
    <section class="stack household" data-testid="household">
      <h3>세대원 (주민 명부, {members.filter((m) => m.registered).length}명)</h3>
      <table onKeyDown={onKeyDown}>
        <tbody>
          {members.map((m, i) => {
            const on = m.key in ticked;
            return (
              <tr key={m.key} data-testid={`member-row-${i}`} class={m.registered ? "" : "muted"}>
                <td>
                  {m.applicant ? (
                    <span>신청인</span>
                  ) : (
                    <input
                      type="checkbox"
                      data-member-box="1"
                      data-enter="own"
                      data-testid={`member-${i}`}
                      disabled={!m.registered || m.paid !== null}
                      checked={on}
                      onChange={(e) => onTick(m, e.currentTarget.checked)}
                    />
                  )}
                </td>
                <td data-testid={`member-masked-${i}`}>{m.masked}</td>
                <td>만 {m.age}세</td>
                <td>{m.eupmyeondong}</td>
                <td>{m.status}</td>
                <td class="warn">{m.paid?.detail}</td>
                <td>
                  {on && (
                    <ChoiceSelect
                      testid={`member-relation-${i}`}
                      choices={relations}
                      value={ticked[m.key] || undefined}
                      placeholder="관계 선택"
                      onChange={(relation) => onRelation(m.key, relation)}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="hint">↑↓ 이동 · 스페이스 선택 · Enter 다음</div>
    </section>
  );
}
