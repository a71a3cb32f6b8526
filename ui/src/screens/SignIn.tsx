import { useState } from "preact/hooks";
import type { AppStatus } from "../bindings/AppStatus";
import type { SessionView } from "../bindings/SessionView";
import { api } from "../api";
import { useAction, useFocusOnMount } from "../hooks";
import { ErrorBox, Notice } from "../components";

// `status` is null while the store is locked: it is encrypted, and only a
// supervisor's PIN opens it after the program starts.
export function SignIn({
  status,
  notice,
  onSignedIn,
}: {
  status: AppStatus | null;
  notice: string | null;
  onSignedIn: (session: SessionView) => void;
}) {
  const [employeeId, setEmployeeId] = useState("");
  const [pin, setPin] = useState("");
  const action = useAction();
  const idField = useFocusOnMount<HTMLInputElement>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const session = await action.run(() => api.signIn(employeeId.trim(), pin));
    setPin("");
    if (session) onSignedIn(session);
  };

  return (
    <main class="signin">
      <h1>{status ? status.site_name : "재난지원금 창구"}</h1>
      {status ? (
        <p>
          {status.campaign}
          {status.demo && <strong class="warn"> · 데모 단말 (감독자 S001 / 11111111, 담당자 C001 / 222222)</strong>}
        </p>
      ) : (
        <p data-testid="store-locked">
          보관함이 잠겨 있습니다. 보관함 열쇠가 있는 <strong>감독자</strong>가 먼저 로그인하면 열리고, 그다음 담당자가 로그인할 수 있습니다.
        </p>
      )}
      <Notice text={notice} />
      <form class="stack" onSubmit={submit}>
        <label>
          사번
          <input
            data-testid="login-id"
            ref={idField}
            autocomplete="off"
            value={employeeId}
            onInput={(e) => setEmployeeId(e.currentTarget.value)}
          />
        </label>
        <label>
          PIN
          <input
            data-testid="login-pin"
            type="password"
            inputMode="numeric"
            autocomplete="off"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value)}
          />
        </label>
        <ErrorBox error={action.error} />
        <button class="primary" type="submit" data-testid="login-submit" disabled={action.busy || !employeeId.trim() || !pin}>
          로그인
        </button>
      </form>
    </main>
  );
}
