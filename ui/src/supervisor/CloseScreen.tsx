import { useState } from "preact/hooks";
import { save } from "@tauri-apps/plugin-dialog";
import type { AppStatus } from "../bindings/AppStatus";
import type { CloseInput } from "../bindings/CloseInput";
import type { ClosePreview } from "../bindings/ClosePreview";
import type { CloseDone } from "../bindings/CloseDone";
import { api } from "../api";
import { useAction, useLoad } from "../hooks";
import { normalizeSerial } from "../logic/cards";
import { won } from "../logic/won";
import { ErrorBox, Notice } from "../components";

/**
 * The day close (마감): the drawer counted by face value (typed, or
 * scanned serial by serial where a count differs), checked against the
 * books, then closed with its report saved; a closed day reopened with a
 * reason.
 */
export function CloseScreen({ status, refresh }: { status: AppStatus; refresh: () => void }) {
  const stock = useLoad(api.stock);
  const [date, setDate] = useState(status.now.slice(0, 10));
  const [counts, setCounts] = useState<Record<string, string>>({});
  const [scan, setScan] = useState("");
  const [scanned, setScanned] = useState<string[]>([]);
  const [preview, setPreview] = useState<ClosePreview | null>(null);
  const [reason, setReason] = useState("");
  const [unsentReason, setUnsentReason] = useState("");
  const [done, setDone] = useState<CloseDone | null>(null);
  const [reopenReason, setReopenReason] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  const drawer = (): CloseInput => ({
    date,
    counts: Object.entries(counts)
      .filter(([, n]) => /^\d+$/.test(n.trim()))
      .map(([face, n]) => ({ face_value: Number(face), count: Number(n.trim()) })),
    scanned,
  });

  const check = () =>
    action.run(async () => {
      setDone(null);
      setPreview(await api.closePreview(drawer()));
    });

  const addScan = (event: KeyboardEvent) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const serial = normalizeSerial(scan);
    if (serial && !scanned.includes(serial)) setScanned([...scanned, serial]);
    setScan("");
    setPreview(null);
  };

  const close = () =>
    action.run(async () => {
      const path = await save({
        defaultPath: `마감보고서-${status.site_code}-${date}.pdf`,
        filters: [{ name: "PDF", extensions: ["pdf"] }],
      });
      if (!path) return;
      setNotice("마감하는 중… (원장 서버에 보낼 것을 먼저 보냅니다)");
      setDone(await api.closeDay({ drawer: drawer(), reason: reason.trim(), unsent_reason: unsentReason.trim(), path }));
      setNotice(`마감했습니다. 보고서: ${path}`);
      setPreview(null);
      refresh();
    });

  const reopen = () =>
    action.run(async () => {
      await api.reopenDay({ date, reason: reopenReason.trim() });
      setNotice(`${date} 마감을 취소했습니다. 다시 발급할 수 있습니다.`);
      setReopenReason("");
      refresh();
    });

  const needsReason = preview !== null && !preview.balanced;
  const needsUnsent = preview !== null && preview.unsent > 0;
  const ready =
    preview !== null && (!needsReason || reason.trim() !== "") && (!needsUnsent || unsentReason.trim() !== "");

  return (
    <section class="stack">
      <h2>마감</h2>
      <label>
        마감일
        <input type="date" value={date} onInput={(e) => (setDate(e.currentTarget.value), setPreview(null))} />
      </label>
      <ErrorBox error={stock.error} />
      <table data-testid="close-count">
        <thead>
          <tr>
            <th class="num">권종</th>
            <th class="num">장부(장)</th>
            <th class="num">센 수(장)</th>
          </tr>
        </thead>
        <tbody>
          {(stock.data ?? []).map((s) => (
            <tr key={s.face_value}>
              <td class="num">{won(s.face_value)}</td>
              <td class="num">{s.on_hand}</td>
              <td class="num">
                <input
                  data-testid={`close-count-${s.face_value}`}
                  inputMode="numeric"
                  value={counts[s.face_value] ?? ""}
                  onInput={(e) => (setCounts({ ...counts, [s.face_value]: e.currentTarget.value }), setPreview(null))}
                  onKeyDown={(e) => e.key === "Enter" && (e.preventDefault(), check())}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label>
        서랍 카드 스캔 (수가 다를 때: 한 장씩 스캔하면 어느 카드인지 찾습니다)
        <input
          data-testid="close-scan"
          value={scan}
          placeholder="일련번호 스캔 후 Enter"
          onInput={(e) => setScan(e.currentTarget.value)}
          onKeyDown={addScan}
        />
      </label>
      {scanned.length > 0 && (
        <p data-testid="close-scanned">
          스캔한 카드 {scanned.length}장{" "}
          <button type="button" onClick={() => (setScanned([]), setPreview(null))}>
            스캔 지우기
          </button>
        </p>
      )}
      <button type="button" data-testid="close-check" onClick={check} disabled={action.busy}>
        장부와 대조
      </button>
      {preview && (
        <div class="stack" data-testid="close-preview">
          <table>
            <thead>
              <tr>
                <th class="num">권종</th>
                <th class="num">장부</th>
                <th class="num">센 수</th>
                <th>결과</th>
                <th>재고 조정</th>
              </tr>
            </thead>
            <tbody>
              {preview.faces.map((f) => (
                <tr key={f.face_value}>
                  <td class="num">{won(f.face_value)}</td>
                  <td class="num">{f.expected}</td>
                  <td class="num">{f.counted}</td>
                  <td>
                    {f.counted === f.expected && f.missing.length === 0 && f.found.length === 0
                      ? "일치"
                      : `불일치 ${f.counted - f.expected >= 0 ? "+" : ""}${f.counted - f.expected}`}
                  </td>
                  <td>
                    {[
                      f.missing.length > 0 ? `분실 처리 ${f.missing.join(", ")}` : "",
                      f.found.length > 0 ? `재고 복귀 ${f.found.join(", ")}` : "",
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {needsReason && (
            <label>
              불일치 사유
              <input data-testid="close-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
          )}
          {needsUnsent && (
            <label>
              원장 서버에 보내지 못한 이벤트 {preview.unsent}건: 사유
              <input
                data-testid="close-unsent-reason"
                value={unsentReason}
                onInput={(e) => setUnsentReason(e.currentTarget.value)}
              />
            </label>
          )}
          <button type="button" class="primary" data-testid="close-submit" onClick={close} disabled={!ready || action.busy}>
            {action.busy ? "마감하는 중…" : "마감하고 보고서 저장"}
          </button>
        </div>
      )}
      <ErrorBox error={action.error} />
      <Notice text={notice} />
      {done && (
        <p data-testid="close-done">
          보고서 SHA-256 <code>{done.report_sha256}</code>
          {done.lost.length > 0 && ` · 분실 처리 ${done.lost.join(", ")}`}
          {done.found.length > 0 && ` · 재고 복귀 ${done.found.join(", ")}`}
        </p>
      )}
      <h3>마감 취소</h3>
      <div class="row">
        <label>
          사유
          <input data-testid="reopen-reason" value={reopenReason} onInput={(e) => setReopenReason(e.currentTarget.value)} />
        </label>
        <button type="button" onClick={reopen} disabled={reopenReason.trim() === "" || action.busy}>
          {date} 마감 취소
        </button>
      </div>
    </section>
  );
}
