// The visitor screen: who is at the counter, whether they may be served
// today, and the issuance. Everything by keyboard: Tab or Enter moves on,
// the answer appears as the last deciding field is filled.

import { useEffect, useRef, useState } from "preact/hooks";
import type { AppStatus } from "../bindings/AppStatus";
import type { AppError } from "../bindings/AppError";
import type { CheckView } from "../bindings/CheckView";
import type { QuoteView } from "../bindings/QuoteView";
import type { ReceiptView } from "../bindings/ReceiptView";
import type { Approver } from "../bindings/Approver";
import { api } from "../api";
import { enterMovesOn, useAction, useFocusOnMount } from "../hooks";
import { toAppError } from "../logic/errors";
import { isComplete } from "../logic/rrn";
import {
  amountLine,
  cautions,
  checkInput,
  emptyForm,
  householdSizeNote,
  issueInput,
  needsApprover,
  peopleReady,
  problems,
  type VisitorForm,
} from "../logic/visitor";
import { ChoiceSelect, ErrorBox } from "../components";
import { RrnInput } from "./RrnInput";
import { Verdict } from "./Verdict";
import { Others } from "./Others";
import { CardScan } from "./CardScan";
import { Confirm } from "./Confirm";
import { Receipt } from "./Receipt";
import { Household } from "./Household";

/** Calls `ask` whenever `key` changes (and is not empty), keeping only the latest answer. */
function useAnswer<T>(key: string, ask: () => Promise<T>): [T | null, AppError | null] {
  const [answer, setAnswer] = useState<T | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    setAnswer(null);
    setError(null);
    if (!key) return;
    let current = true;
    ask().then(
      (value) => current && setAnswer(value),
      (e) => current && setError(toAppError(e)),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return [answer, error];
}

export function Visitor({ status, refresh }: { status: AppStatus; refresh: () => void }) {
  const [form, setForm] = useState<VisitorForm>(() => emptyForm(status.sigungu));
  const [serials, setSerials] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [forceApprover, setForceApprover] = useState(false);
  const [receipt, setReceipt] = useState<ReceiptView | null>(null);
  // The clerk has seen to the verdict's cautions (check digit, minor).
  const [acknowledged, setAcknowledged] = useState(false);
  const issuing = useAction();
  const rrn = useFocusOnMount<HTMLInputElement>();
  const household = useRef<HTMLInputElement>(null);
  const applicantName = useRef<HTMLInputElement>(null);
  // The number was just completed: the keyboard goes where the answer says.
  const [numberDone, setNumberDone] = useState(false);
  const submit = useRef<HTMLButtonElement>(null);
  const update = (patch: Partial<VisitorForm>) => setForm((f) => ({ ...f, ...patch }));

  const question = checkInput(form);
  const [check, answerError] = useAnswer<CheckView>(question ? JSON.stringify(question) : "", () => api.check(question!));
  // Without a roll, the answer waits for the household size: not an error.
  const checkError = answerError?.code === "missing" ? null : answerError;
  const onRoll = check?.household != null;
  useEffect(() => {
    if (!numberDone || (!check && !answerError)) return;
    setNumberDone(false);
    if (onRoll) {
      const first = document.querySelector<HTMLInputElement>("[data-member-box]:not(:disabled)");
      (first ?? applicantName.current)?.focus();
    } else {
      household.current?.focus();
    }
  }, [numberDone, check, answerError]);
  const draft = issueInput(form, [], null);
  const quoteKey = check?.allowed && peopleReady(form) ? JSON.stringify(draft) : "";
  const [quote, quoteError] = useAnswer<QuoteView>(quoteKey, () => api.quote(draft));

  // A new split may need fewer cards than were scanned.
  useEffect(() => {
    if (quote) setSerials((s) => s.slice(0, quote.cards.length));
  }, [quote]);
  const cardsDone = quote !== null && serials.length === quote.cards.length;
  useEffect(() => {
    if (cardsDone) submit.current?.focus();
  }, [cardsDone]);

  const todo = problems(form, onRoll);
  const toAcknowledge = check ? cautions(check) : [];
  const ready =
    check?.allowed === true && quote !== null && cardsDone && todo.length === 0 && (toAcknowledge.length === 0 || acknowledged);
  const people = (form.self ? 1 : 0) + Object.keys(form.members).length + form.others.length;
  // Offline, a supervisor approves: the counter's approval, or one at the confirm step.
  const offlineNeedsApproval = needsApprover(status.offline_mode, status.sync.enrolled, status.sync.online);
  const askApprover = forceApprover || (offlineNeedsApproval && status.offline_approval === null);

  const issue = async (approver: Approver | null) => {
    const done = await issuing.run(() => api.issue(issueInput(form, serials, approver)));
    if (done) {
      setConfirming(false);
      setReceipt(done);
      refresh();
    }
  };
  useEffect(() => {
    if (issuing.error?.code === "offline_needs_supervisor") setForceApprover(true);
  }, [issuing.error]);

  const nextVisitor = () => {
    setForm(emptyForm(status.sigungu));
    setSerials([]);
    setConfirming(false);
    setForceApprover(false);
    setReceipt(null);
    setAcknowledged(false);
    issuing.setError(null);
    setTimeout(() => rrn.current?.focus(), 0);
  };

  if (receipt) return <Receipt receipt={receipt} onNext={nextVisitor} />;

  // Esc starts the visitor over from any state (the confirm step's own Esc
  // only closes it).
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !confirming) {
      event.preventDefault();
      nextVisitor();
      return;
    }
    // Enter takes the common path: the household size to the name (the
    // 시군 is the site's), the name to the card scan (the ID card is a
    // 주민등록증); the rare fields are a Tab away.
    if (event.key === "Enter" && !event.isComposing) {
      const target = event.target as HTMLElement;
      const next =
        target === household.current
          ? applicantName.current
          : target === applicantName.current
            ? document.querySelector<HTMLInputElement>("[data-testid=card-serial]:not(:disabled)")
            : null;
      if (next) {
        event.preventDefault();
        next.focus();
        return;
      }
    }
    enterMovesOn(event);
  };

  return (
    // One screen per visitor: who they are and whom they collect for on the
    // left; the verdict, the cards and the issue action on the right, all
    // in view at 1366×768 without scrolling.
    <div class="visitor" onKeyDown={onKeyDown}>
      <section class="stack">
        <h2>방문자 확인</h2>
        <label>
          주민등록번호
          <RrnInput
            digits={form.rrn}
            testid="rrn-input"
            inputRef={rrn}
            onDigits={(digits) => {
              const completed = !isComplete(form.rrn) && isComplete(digits);
              // Another number: another household, and its own cautions.
              update({ rrn: digits, members: {} });
              setAcknowledged(false);
              if (completed) setNumberDone(true);
            }}
          />
        </label>
        {check?.household && (
          <Household
            members={check.household}
            ticked={form.members}
            relations={status.relations.filter((r) => r.code !== "self")}
            onTick={(m, on) => {
              const members = { ...form.members };
              if (on) members[m.key] = m.minor ? "legal_representative" : "";
              else delete members[m.key];
              update({ members });
            }}
            onRelation={(key, relation) => update({ members: { ...form.members, [key]: relation } })}
            onDone={() => applicantName.current?.focus()}
          />
        )}
        <div class="row">
          {!onRoll && (
            <label>
              가구원 수
              <input
                ref={household}
                data-testid="household-size"
                inputMode="numeric"
                autocomplete="off"
                size={4}
                value={form.householdSize}
                onInput={(e) => update({ householdSize: e.currentTarget.value })}
              />
              {householdSizeNote(form.householdSize) && (
                <span class="warn" role="alert" data-testid="household-size-note">
                  {householdSizeNote(form.householdSize)}
                </span>
              )}
            </label>
          )}
          {onRoll && <span data-testid="roll-household-size">가구원 {check?.household_size}명 (주민 명부)</span>}
          <label>
            주소지 시군
            <select data-testid="resident-sigungu" value={form.sigungu} onChange={(e) => update({ sigungu: e.currentTarget.value })}>
              {status.regions.map((r) => (
                <option value={r.code} key={r.code}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div class="row">
          <label>
            신청인 이름
            <input ref={applicantName} data-testid="applicant-name" autocomplete="off" size={10} value={form.name} onInput={(e) => update({ name: e.currentTarget.value })} />
          </label>
          <label>
            확인한 신분증
            <ChoiceSelect testid="id-document" choices={status.id_documents} value={form.idDocument} onChange={(idDocument) => update({ idDocument })} />
          </label>
        </div>
        {check?.allowed && <Others status={status} form={form} quote={quote} update={update} />}
      </section>
      <section class="stack">
        {check ? (
          <Verdict
            check={check}
            cautions={toAcknowledge}
            acknowledged={acknowledged}
            onAcknowledge={setAcknowledged}
            amount={amountLine(check, people)}
          />
        ) : (
          <div class="hint">주민등록번호와 가구원 수를 입력하면 지급 가능 여부가 바로 나옵니다.</div>
        )}
        <ErrorBox error={checkError} />
        {check && !check.allowed && (
          <button type="button" data-testid="next-visitor" onClick={nextVisitor}>
            다음 방문자
          </button>
        )}
        {check?.allowed && (
          <>
            <ErrorBox error={quoteError} />
            {quote && <CardScan quote={quote} serials={serials} setSerials={setSerials} />}
            {isComplete(form.rrn) && todo.length > 0 && (
              <ul class="hint" data-testid="todo">
                {todo.map((t) => (
                  <li key={t}>{t}</li>
                ))}
              </ul>
            )}
            <div class="row">
              <button
                type="button"
                class="primary"
                ref={submit}
                data-testid="issue-submit"
                disabled={!ready}
                onClick={() => {
                  issuing.setError(null);
                  setConfirming(true);
                }}
              >
                발급
              </button>
              <button type="button" data-testid="start-over" onClick={nextVisitor}>
                처음부터 (Esc)
              </button>
            </div>
          </>
        )}
      </section>
      {confirming && quote && (
        <Confirm
          quote={quote}
          serials={serials}
          askApprover={askApprover}
          approval={offlineNeedsApproval && !askApprover ? status.offline_approval : null}
          busy={issuing.busy}
          error={issuing.error}
          onConfirm={issue}
          onCancel={() => setConfirming(false)}
        />
      )}
    </div>
  );
}
