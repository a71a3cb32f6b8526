import type { Format } from "../bindings/Format";
import type { ReportKind } from "../bindings/ReportKind";
import { useState } from "preact/hooks";
import { save } from "@tauri-apps/plugin-dialog";
import type { AppStatus } from "../bindings/AppStatus";
import { api } from "../api";
import { useAction } from "../hooks";
import { ErrorBox, Notice } from "../components";

const KINDS: { code: ReportKind; label: string }[] = [
  { code: "daily", label: "일일 발급 보고서" },
  { code: "stock", label: "카드 재고 대사표" },
];
const FORMATS: { code: Format; label: string }[] = [
  { code: "pdf", label: "PDF" },
  { code: "csv", label: "CSV" },
  { code: "xlsx", label: "Excel (XLSX)" },
];

/** The day's report, saved where the supervisor chooses. */
export function Reports({ status }: { status: AppStatus }) {
  const [kind, setKind] = useState<ReportKind>("daily");
  const [date, setDate] = useState(status.now.slice(0, 10));
  const [format, setFormat] = useState<Format>("pdf");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const exportReport = () =>
    action.run(async () => {
      setDone(null);
      const name = kind === "daily" ? "일일발급보고서" : "재고대사표";
      const path = await save({
        defaultPath: `${name}-${status.site_code}-${date}.${format}`,
        filters: [{ name: format.toUpperCase(), extensions: [format] }],
      });
      if (!path) return;
      setDone("보고서를 만드는 중…");
      await api.report({ kind, date, format, path });
      setDone(`저장했습니다: ${path}`);
    });

  return (
    <section class="stack">
      <h2>보고서</h2>
      <div class="row">
        <label>
          종류
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as ReportKind)}>
            {KINDS.map((k) => (
              <option value={k.code} key={k.code}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          날짜
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label>
          형식
          <select value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)}>
            {FORMATS.map((f) => (
              <option value={f.code} key={f.code}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="primary" onClick={exportReport} disabled={action.busy}>
          {action.busy ? "만드는 중…" : "저장"}
        </button>
      </div>
      <ErrorBox error={action.error} />
      <Notice text={done} />
    </section>
  );
}
