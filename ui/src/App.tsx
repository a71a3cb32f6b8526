// The window: sign-in until someone is signed in, then the counter and (for
// supervisors) their tools, with the status bar always at the bottom.

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { AppStatus } from "./bindings/AppStatus";
import { api } from "./api";
import { toAppError } from "./logic/errors";
import { isIdle } from "./logic/idle";
import { ErrorBox } from "./components";
import { SignIn } from "./screens/SignIn";
import { Visitor } from "./screens/Visitor";
import { StatusBar } from "./screens/StatusBar";
import { OfflineApproval } from "./screens/OfflineApproval";
import { Supervisor, TABS, type TabId } from "./supervisor/Supervisor";

const STATUS_EVERY_MS = 2000;

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [fault, setFault] = useState<string | null>(null);
  const [lockNotice, setLockNotice] = useState<string | null>(null);
  // The store is encrypted and stays locked until a supervisor signs in.
  const [storeLocked, setStoreLocked] = useState(false);
  // Shown once, to the supervisor who opened a new (or newly encrypted) store.
  const [recoveryCode, setRecoveryCode] = useState<string | null>(null);
  const [tab, setTab] = useState<TabId | "counter">("counter");
  const [approving, setApproving] = useState(false);
  const lastActivity = useRef(Date.now());

  const refresh = useCallback(async () => {
    try {
      setStatus(await api.status());
      setStoreLocked(false);
      setFault(null);
    } catch (e) {
      const error = toAppError(e);
      if (error.code === "store_locked") {
        setStoreLocked(true);
        setFault(null);
      } else {
        setFault(error.message);
      }
    }
  }, []);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, STATUS_EVERY_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  useEffect(() => {
    const touch = () => (lastActivity.current = Date.now());
    const events = ["keydown", "mousedown", "input"] as const;
    events.forEach((e) => window.addEventListener(e, touch, true));
    return () => events.forEach((e) => window.removeEventListener(e, touch, true));
  }, []);

  const session = status?.session ?? null;
  useEffect(() => {
    if (!session) return;
    const f8 = (e: KeyboardEvent) => {
      if (e.key !== "F8") return;
      e.preventDefault();
      setApproving(true);
    };
    window.addEventListener("keydown", f8);
    return () => window.removeEventListener("keydown", f8);
  }, [session?.employee_id]);
  const lockMinutes = status?.idle_lock_minutes ?? 0;
  useEffect(() => {
    if (!session) return;
    const timer = setInterval(async () => {
      if (isIdle(lastActivity.current, Date.now(), lockMinutes)) {
        await api.signOut().catch(() => undefined);
        setLockNotice(`${lockMinutes}분 동안 입력이 없어 화면을 잠갔습니다. 다시 로그인하세요.`);
        setTab("counter");
        refresh();
      }
    }, 5000);
    return () => clearInterval(timer);
  }, [session?.employee_id, lockMinutes, refresh]);

  if (!status || !session) {
    if (!status && !storeLocked) {
      return <main>{fault ? <ErrorBox error={fault} /> : "불러오는 중…"}</main>;
    }
    return (
      <SignIn
        status={status}
        notice={lockNotice}
        onSignedIn={(signedIn) => {
          lastActivity.current = Date.now();
          setLockNotice(null);
          setRecoveryCode(signedIn.recovery_code);
          setTab("counter");
          refresh();
        }}
      />
    );
  }

  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    refresh();
  };
  const supervisor = session.role === "supervisor";

  return (
    <>
      <header class="top">
        <span class="site">{status.site_name}</span>
        <span>{status.campaign}</span>
        {status.demo && <span class="warn">데모</span>}
        <span data-testid="my-shift">
          오늘 내 발급 {status.my_shift?.issuances ?? 0}건 · {status.my_shift?.people ?? 0}명 · 카드 {status.my_shift?.cards ?? 0}장 ·{" "}
          {(status.my_shift?.total ?? 0).toLocaleString("ko-KR")}원
        </span>
        <span class="who" data-testid="session">
          {session.name} ({session.role_label})
        </span>
        <button type="button" data-testid="sign-out" onClick={signOut}>
          로그아웃
        </button>
      </header>
      <nav class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "counter"} data-testid="tab-counter" onClick={() => setTab("counter")}>
          창구
        </button>
        {supervisor &&
          TABS.map((t) => (
            <button type="button" role="tab" key={t.id} aria-selected={tab === t.id} data-testid={`tab-${t.id}`} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
      </nav>
      <main>
        {recoveryCode && (
          <section class="notice recovery" role="alert" data-testid="recovery-code">
            <p>
              보관함 <strong>복구 코드</strong>입니다. 지금 한 번만 보입니다. 적어서 금고에 보관하세요. 감독자가 PIN을 잊으면 이 코드로 보관함을 엽니다.
            </p>
            <p class="code" data-testid="recovery-code-value">{recoveryCode}</p>
            <button type="button" data-testid="recovery-code-done" onClick={() => setRecoveryCode(null)}>
              적어 두었습니다
            </button>
          </section>
        )}
        <ErrorBox error={fault} />
        {tab === "counter" || !supervisor ? (
          <Visitor status={status} refresh={refresh} />
        ) : (
          <Supervisor tab={tab} status={status} refresh={refresh} />
        )}
      </main>
      {approving && (
        <OfflineApproval
          status={status}
          onDone={() => {
            setApproving(false);
            refresh();
            // Back to the visitor form, where the clerk was.
            setTimeout(() => document.querySelector<HTMLElement>("[data-testid=rrn-input]")?.focus(), 0);
          }}
        />
      )}
      <StatusBar status={status} onApproval={() => setApproving(true)} />
    </>
  );
}
