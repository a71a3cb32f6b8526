#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("글꼴을 읽을 수 없습니다")]
    Font,
    #[error("엑셀 파일을 만들 수 없습니다: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("CSV를 만들 수 없습니다: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
