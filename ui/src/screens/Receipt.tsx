import { useEffect, useRef, useState } from "preact/hooks";
import { save } from "@tauri-apps/plugin-dialog";
import type { ReceiptView } from "../bindings/ReceiptView";
import { api } from "../api";
import { useAction } from "../hooks";
import { won } from "../logic/won";
import { ErrorBox, Notice } from "../components";

/** 수령 확인증: shown after issuing, to print or save as PDF. */
export function Receipt({ receipt, onNext }: { receipt: ReceiptView; onNext: () => void }) {
  const next = useRef<HTMLButtonElement>(null);
  const action = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => next.current?.focus(), []);

  const savePdf = () =>
    action.run(async () => {
      const path = await save({
        defaultPath: `수령확인증-${receipt.issuance_id}.pdf`,
        filters: [{ name: "PDF", extensions: ["pdf"] }],
      });
      if (!path) return;
      await api.receiptPdf({ issuance_id: receipt.issuance_id, paper: "a5", path });
      setSaved(`저장했습니다: ${path}`);
    });

  return (
    <section class="stack" data-testid="issue-done">
      <div class="notice">발급을 마쳤습니다. 수령 확인증을 드리세요.</div>
      <article class="receipt">
        <h2>수령 확인증</h2>
        <p>
          {receipt.campaign} · {receipt.site_name}
          <br />
          발급번호 {receipt.issuance_id} · {receipt.issued_at}
          {receipt.offline && " · 오프라인 발급"}
        </p>
        <p>
          신청인 {receipt.applicant} ({receipt.id_document})
        </p>
        <table>
          <tbody>
            {receipt.beneficiaries.map((b) => (
              <tr key={b.masked}>
                <td>{b.name}</td>
                <td>{b.masked}</td>
                <td class="num">{won(b.amount)}</td>
              </tr>
            ))}
            {receipt.cards.map((c) => (
              <tr key={c.serial}>
                <td>카드</td>
                <td>
                  {c.serial}
                  <div class="card-activation" data-testid="card-activation">
                    {c.activation}
                  </div>
                </td>
                <td class="num">{won(c.amount)}</td>
              </tr>
            ))}
            <tr>
              <th colSpan={2}>합계</th>
              <th class="num" data-testid="receipt-total">
                {won(receipt.total)}
              </th>
            </tr>
          </tbody>
        </table>
        <ul>
          {receipt.terms.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
        <p>담당 {receipt.clerk}</p>
      </article>
      <ErrorBox error={action.error} />
      <Notice text={saved} />
      <div class="row no-print">
        <button type="button" onClick={() => window.print()}>
          인쇄
        </button>
        <button type="button" onClick={savePdf} disabled={action.busy}>
          PDF로 저장
        </button>
        <button type="button" class="primary" ref={next} data-testid="next-visitor" onClick={onNext}>
          다음 방문자 (Enter)
        </button>
      </div>
    </section>
  );
}
