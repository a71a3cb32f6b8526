import type { AppStatus } from "../bindings/AppStatus";
import { VoidScreen } from "./VoidScreen";
import { Conflicts } from "./Conflicts";
import { StockScreen } from "./StockScreen";
import { Clerks } from "./Clerks";
import { Reports } from "./Reports";
import { Enrollment } from "./Enrollment";
import { CloseScreen } from "./CloseScreen";

export const TABS = [
  { id: "void", label: "발급 취소" },
  { id: "conflicts", label: "충돌 처리" },
  { id: "stock", label: "카드 재고" },
  { id: "clerks", label: "담당자" },
  { id: "reports", label: "보고서" },
  { id: "close", label: "마감" },
  { id: "enroll", label: "원장 등록" },
] as const;

export type TabId = (typeof TABS)[number]["id"];

export function Supervisor({ tab, status, refresh }: { tab: TabId; status: AppStatus; refresh: () => void }) {
  switch (tab) {
    case "void":
      return <VoidScreen status={status} refresh={refresh} />;
    case "conflicts":
      return <Conflicts refresh={refresh} />;
    case "stock":
      return <StockScreen refresh={refresh} />;
    case "clerks":
      return <Clerks status={status} />;
    case "reports":
      return <Reports status={status} />;
    case "close":
      return <CloseScreen status={status} refresh={refresh} />;
    case "enroll":
      return <Enrollment status={status} refresh={refresh} />;
  }
}
