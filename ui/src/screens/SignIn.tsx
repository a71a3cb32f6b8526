import { useState } from "preact/hooks";
import type { AppStatus } from "../bindings/AppStatus";
import { api } from "../api";
import { useAction, useFocusOnMount } from "../hooks";
import { ErrorBox, Notice } from "../components";

export function SignIn({ status, notice, onSignedIn }: { status: AppStatus; notice: string | null; onSignedIn: () => void }) {
  const [employeeId, setEmployeeId] = useState("");
  const [pin, setPin] = useState("");
  const action = useAction();
  const idField = useFocusOnMount<HTMLInputElement>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const session = await action.run(() => api.signIn(employeeId.trim(), pin));
    setPin("");
    if (session) onSignedIn();
  };

  return (
    <main class="signin">
      <h1>{status.site_name}</h1>
      <p>
        {status.campaign}
        {status.demo && <strong class="warn"> · 데모 단말 (감독자 S001 / 111111, 담당자 C001 / 222222)</strong>}
      </p>
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
