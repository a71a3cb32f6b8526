import type { Role } from "../bindings/Role";
import { useState } from "preact/hooks";
import { api } from "../api";
import { enterMovesOn, useAction, useLoad } from "../hooks";
import type { AppStatus } from "../bindings/AppStatus";
import { ChoiceSelect, ErrorBox, Notice } from "../components";
import { won } from "../logic/won";

/** Who may sign in at this counter; supervisors add clerks. */
export function Clerks({ status }: { status: AppStatus }) {
  const list = useLoad(api.clerks);
  const [employeeId, setEmployeeId] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("clerk");
  const [pin, setPin] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      await api.addClerk({ employee_id: employeeId.trim(), name: name.trim(), role, pin });
      return true;
    });
    setPin("");
    if (ok) {
      setDone(`${name.trim()} 님을 등록했습니다.`);
      setEmployeeId("");
      setName("");
      list.reload();
    }
  };

  return (
    <section class="stack">
      <h2>오늘 담당자별 발급</h2>
      <table data-testid="shifts">
        <thead>
          <tr>
            <th>담당자</th>
            <th class="num">발급</th>
            <th class="num">인원</th>
            <th class="num">카드</th>
            <th class="num">금액</th>
            <th class="num">취소</th>
          </tr>
        </thead>
        <tbody>
          {status.shifts.map((s) => (
            <tr key={s.clerk_id}>
              <td>
                {s.clerk_name} ({s.clerk_id})
              </td>
              <td class="num">{s.issuances}건</td>
              <td class="num">{s.people}명</td>
              <td class="num">{s.cards}장</td>
              <td class="num">{won(s.total)}</td>
              <td class="num">{s.voided}건</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>담당자</h2>
      <ErrorBox error={list.error} />
      <table>
        <thead>
          <tr>
            <th>사번</th>
            <th>이름</th>
            <th>역할</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((c) => (
            <tr key={c.employee_id}>
              <td>{c.employee_id}</td>
              <td>{c.name}</td>
              <td>{c.role_label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="stack" onSubmit={submit} onKeyDown={enterMovesOn}>
        <h3>담당자 추가</h3>
        <div class="row">
          <label>
            사번
            <input value={employeeId} autocomplete="off" onInput={(e) => setEmployeeId(e.currentTarget.value)} />
          </label>
          <label>
            이름
            <input value={name} autocomplete="off" onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            역할
            <ChoiceSelect choices={status.roles} value={role} onChange={setRole} />
          </label>
          <label>
            PIN (6자리 이상)
            <input type="password" inputMode="numeric" autocomplete="off" value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
          </label>
        </div>
        <ErrorBox error={action.error} />
        <Notice text={done} />
        <button type="submit" class="primary" disabled={action.busy || !employeeId.trim() || !name.trim() || !pin}>
          추가
        </button>
      </form>
    </section>
  );
}
