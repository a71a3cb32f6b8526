import { useEffect, useRef, useState } from "preact/hooks";
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
  // A supervisor sets a new PIN as they sign in: asked for when theirs is
  // too short to lock the store's key (set before the store was
  // encrypted), or chosen to change it.
  const [changing, setChanging] = useState(false);
  const [newPin, setNewPin] = useState("");
  const [again, setAgain] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();
  const idField = useFocusOnMount<HTMLInputElement>();
  const newPinField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (changing) newPinField.current?.focus();
  }, [changing]);

  const retypeNewPin = () => {
    setNewPin("");
    setAgain("");
    newPinField.current?.focus();
  };

  // A refused PIN is cleared, except one refused only for being too short
  // to lock the key: it is the current PIN that goes with the new one.
  // New PINs are typed again after any refusal.
  useEffect(() => {
    if (!action.error) return;
    const short = action.error.code === "weak_supervisor_pin";
    if (!short) setPin("");
    if (changing) {
      retypeNewPin();
    } else if (short) {
      setChanging(true);
      action.setError(null);
    }
  }, [action.error]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const differ = changing && newPin !== again;
    setMismatch(differ);
    if (differ) {
      retypeNewPin();
      return;
    }
    const session = await action.run(() =>
      changing ? api.signInWithNewPin(employeeId.trim(), pin, newPin) : api.signIn(employeeId.trim(), pin),
    );
    if (session) {
      setPin("");
      setNewPin("");
      setAgain("");
      onSignedIn(session);
    }
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
        {changing && (
          <>
            <p class="hint" data-testid="new-pin-needed">
              감독자 PIN은 보관함 열쇠를 잠그므로 <strong>8~12자리</strong>입니다. 새 PIN을 정하면 그 PIN으로 로그인합니다.
            </p>
            <label>
              새 PIN (8~12자리)
              <input
                data-testid="login-new-pin"
                ref={newPinField}
                type="password"
                inputMode="numeric"
                autocomplete="off"
                value={newPin}
                onInput={(e) => setNewPin(e.currentTarget.value)}
              />
            </label>
            <label>
              새 PIN 확인
              <input
                data-testid="login-new-pin-again"
                type="password"
                inputMode="numeric"
                autocomplete="off"
                value={again}
                onInput={(e) => setAgain(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <ErrorBox error={mismatch ? MISMATCH : action.error} />
        <button
          class="primary"
          type="submit"
          data-testid="login-submit"
          disabled={action.busy || !employeeId.trim() || !pin || (changing && (!newPin || !again))}
        >
          {changing ? "새 PIN으로 로그인" : "로그인"}
        </button>
        <button type="button" class="link" data-testid="login-change-pin" onClick={() => setChanging(!changing)}>
          {changing ? "PIN 바꾸지 않기" : "감독자 PIN 바꾸기"}
        </button>
      </form>
    </main>
  );
}

const MISMATCH = { code: "input", message: "새 PIN 두 번이 서로 다릅니다. 다시 입력하세요." } as const;
