//! A row read back, by column name: a statement's columns can be reordered
//! or added to without every reader's numbers shifting under it.

use std::sync::Arc;

use super::StorageError;

type Result<T> = std::result::Result<T, StorageError>;

/// A column value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    /// What kind of value this is, for an error: never the value itself,
    /// which may be a beneficiary key.
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "정수",
            Value::Text(_) => "문자열",
            Value::Bytes(_) => "바이트열",
        }
    }
}

/// One row. Its column names are shared by every row of the result they
/// came with, so carrying them costs a pointer per row.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// `values` in the order of `columns`.
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        debug_assert_eq!(columns.len(), values.len());
        Row { columns, values }
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values in column order, for whoever reads every column alike.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// A handful of names per row: a scan, with nothing allocated.
    fn get(&self, column: &str) -> Result<&Value> {
        self.columns
            .iter()
            .position(|name| name == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| column_error(column, "없는 열"))
    }

    fn mismatch(column: &str, found: &Value) -> StorageError {
        column_error(column, found.kind())
    }

    pub fn int(&self, column: &str) -> Result<i64> {
        match self.get(column)? {
            Value::Int(v) => Ok(*v),
            other => Err(Self::mismatch(column, other)),
        }
    }

    pub fn opt_int(&self, column: &str) -> Result<Option<i64>> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            other => Err(Self::mismatch(column, other)),
        }
    }

    /// An integer standing for yes (1) or no (0), as `CASE ... THEN 1 ELSE
    /// 0 END` computes it.
    pub fn flag(&self, column: &str) -> Result<bool> {
        Ok(self.int(column)? == 1)
    }

    pub fn text(&self, column: &str) -> Result<String> {
        match self.get(column)? {
            Value::Text(v) => Ok(v.clone()),
            other => Err(Self::mismatch(column, other)),
        }
    }

    pub fn opt_text(&self, column: &str) -> Result<Option<String>> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.clone())),
            other => Err(Self::mismatch(column, other)),
        }
    }

    pub fn bytes(&self, column: &str) -> Result<Vec<u8>> {
        match self.get(column)? {
            Value::Bytes(v) => Ok(v.clone()),
            other => Err(Self::mismatch(column, other)),
        }
    }

    /// A text column holding one of a closed set of codes (a channel, a
    /// status): a code the set does not know is a corrupt row.
    pub fn parsed<T: std::str::FromStr>(&self, column: &str) -> Result<T> {
        let text = self.text(column)?;
        text.parse().map_err(|_| column_error(column, &text))
    }
}

/// The error for a column that is not what its reader expects: named, so
/// that whoever reads the log knows which.
pub fn column_error(column: &str, found: &str) -> StorageError {
    StorageError::Column {
        column: column.to_owned(),
        found: found.to_owned(),
    }
}

/// A row struct read from a query's columns, by name.
pub trait FromRow: Sized {
    fn from_row(r: &Row) -> Result<Self>;
}

/// Every row of `rows` as a `T`.
pub fn all<T: FromRow>(rows: Vec<Row>) -> Result<Vec<T>> {
    rows.iter().map(T::from_row).collect()
}

/// The first row of `rows`, if any, as a `T`.
pub fn first<T: FromRow>(row: Option<Row>) -> Result<Option<T>> {
    row.as_ref().map(T::from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row::new(
            Arc::from(vec!["id".to_owned(), "key".to_owned(), "site".to_owned()]),
            vec![
                Value::Int(7),
                Value::Bytes(vec![0xAB; 32]),
                Value::Text("수원시청".into()),
            ],
        )
    }

    #[test]
    fn columns_are_read_by_name() {
        let r = row();
        assert_eq!(r.int("id").unwrap(), 7);
        assert_eq!(r.bytes("key").unwrap(), vec![0xAB; 32]);
        assert_eq!(r.text("site").unwrap(), "수원시청");
        assert_eq!(r.opt_text("site").unwrap().as_deref(), Some("수원시청"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let error = row().text("site_code").unwrap_err();
        assert!(
            matches!(&error, StorageError::Column { column, found } if column == "site_code" && found == "없는 열"),
            "{error:?}"
        );
        assert!(error.to_string().contains("site_code"), "{error}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_without_the_value() {
        let error = row().text("key").unwrap_err();
        assert!(
            matches!(&error, StorageError::Column { column, found } if column == "key" && found == "바이트열"),
            "{error:?}"
        );
        // The key itself never reaches a message.
        assert!(!error.to_string().to_lowercase().contains("ab"), "{error}");
        assert!(matches!(
            row().int("site"),
            Err(StorageError::Column { column, .. }) if column == "site"
        ));
    }

    #[test]
    fn a_code_outside_its_set_is_named() {
        let error = row().parsed::<relief_core::Channel>("site").unwrap_err();
        assert!(
            matches!(&error, StorageError::Column { column, .. } if column == "site"),
            "{error:?}"
        );
    }
}
