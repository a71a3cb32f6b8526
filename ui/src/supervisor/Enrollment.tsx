import { useState } from "preact/hooks";
import type { AppStatus } from "../bindings/AppStatus";
import { api } from "../api";
import { enterMovesOn, useAction } from "../hooks";
import { ErrorBox, Notice } from "../components";

/** Enrolling the counter with the central ledger: its address and the one-time code. */
export function Enrollment({ status, refresh }: { status: AppStatus; refresh: () => void }) {
  const [url, setUrl] = useState("");
  const [code, setCode] = useState("");
  const [fingerprint, setFingerprint] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      await api.enroll({ ledger_url: url.trim(), code: code.trim(), fingerprint: fingerprint.trim() });
      return true;
    });
    if (ok) {
      setDone("원장에 등록했습니다. 이제부터 자동으로 동기화합니다.");
      setCode("");
      refresh();
    }
  };

  if (status.sync.enrolled) {
    return (
      <section class="stack">
        <h2>원장 등록</h2>
        <Notice text={done} />
        <p>이 단말은 원장에 등록되어 있습니다. 마지막 연결: {status.sync.last_contact ?? "없음"}</p>
        {status.sync.last_error && <p class="warn">최근 오류: {status.sync.last_error}</p>}
        <button type="button" onClick={() => api.syncNow().then(refresh)}>
          지금 동기화
        </button>
      </section>
    );
  }

  return (
    <form class="stack" onSubmit={submit} onKeyDown={enterMovesOn}>
      <h2>원장 등록</h2>
      <p class="hint">원장 운영자에게 받은 주소와 등록 코드를 입력하세요. 등록 전에는 오프라인으로만 발급합니다.</p>
      <label>
        원장 주소
        <input data-testid="ledger-url" placeholder="https://ledger.example.go.kr" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <label>
        등록 코드
        <input data-testid="enroll-code" autocomplete="off" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      </label>
      <label>
        원장 키 지문 (선택)
        <input data-testid="enroll-fingerprint" value={fingerprint} onInput={(e) => setFingerprint(e.currentTarget.value)} />
      </label>
      <ErrorBox error={action.error} />
      <button type="submit" class="primary" data-testid="enroll-submit" disabled={action.busy || !url.trim() || !code.trim()}>
        {action.busy ? "등록 중…" : "등록"}
      </button>
    </form>
  );
}
