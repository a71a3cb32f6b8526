import type { Format } from "../bindings/Format";
import type { ReportKind } from "../bindings/ReportKind";
import { useState } from "preact/hooks";
import { save } from "@tauri-apps/plugin-dialog";
import type { AppStatus } from "../bindings/AppStatus";
import { api } from "../api";
import { useAction } from "../hooks";
import { ChoiceSelect, ErrorBox, Notice } from "../components";

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
          <ChoiceSelect choices={status.report_kinds} value={kind} onChange={setKind} />
        </label>
        <label>
          날짜
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label>
          형식
          <ChoiceSelect choices={status.report_formats} value={format} onChange={setFormat} />
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
