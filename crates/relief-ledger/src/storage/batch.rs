//! Many rows in few statements, for a push whose events meet nothing
//! already recorded: the rows `queries` writes one at a time, a table at a
//! time. On PostgreSQL each statement is a round trip and a plan; a batch
//! of 100 issuances takes about 25 statements here instead of 500. The
//! rows are typed ([`Insert`]), and the one-at-a-time path writes the same
//! types through [`insert_one`].

use super::{Db, Param, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// Rows per statement, largest first. A batch is cut into these sizes, so
/// that each connection prepares a few statements and reuses them.
const SIZES: [usize; 8] = [128, 64, 32, 16, 8, 4, 2, 1];

/// The statement sizes for `n` rows: 300 is 128 + 128 + 32 + 8 + 4.
pub(crate) fn sizes(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for size in SIZES {
        while n >= size {
            out.push(size);
            n -= size;
        }
    }
    out
}

/// `INSERT INTO {into} VALUES ($1, $2), ($3, $4) {tail}`: `rows` groups
/// of `width` placeholders.
fn insert_sql(into: &str, rows: usize, width: usize, tail: &str) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(into.len() + tail.len() + 20 + rows * width * 7);
    sql.push_str("INSERT INTO ");
    sql.push_str(into);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 1..=width {
            if column > 1 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "${}", row * width + column);
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

/// A row of a table the ledger writes, typed: its table and columns, and
/// its values in the same order. The column list is counted when the code
/// that writes the row is compiled and must be `WIDTH` long, so that the
/// columns and the values cannot drift apart.
pub trait Insert<const WIDTH: usize> {
    /// `table (column, ...)`.
    const INTO: &'static str;

    /// The values, in the order of [`Insert::INTO`]'s columns.
    fn params(&self) -> [Param<'_>; WIDTH];
}

/// How many columns `table (a, b, c)` names: its commas, and one.
pub const fn columns(into: &str) -> usize {
    let bytes = into.as_bytes();
    let mut count = 1;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            count += 1;
        }
        i += 1;
    }
    count
}

/// Fails the build where `T`'s column list and its values disagree.
fn checked<const WIDTH: usize, T: Insert<WIDTH>>() {
    const {
        assert!(
            columns(T::INTO) == WIDTH,
            "an Insert's column list and its values disagree"
        )
    };
}

/// Runs `rows` as statements of the fixed sizes, each ending in `tail`.
pub(crate) fn each_statement<const WIDTH: usize, T: Insert<WIDTH>>(
    rows: &[T],
    tail: &str,
    mut run: impl FnMut(&str, &[Param]) -> Result<()>,
) -> Result<()> {
    checked::<WIDTH, T>();
    let params: Vec<Param> = rows.iter().flat_map(Insert::params).collect();
    let mut at = 0;
    for size in sizes(rows.len()) {
        run(
            &insert_sql(T::INTO, size, WIDTH, tail),
            &params[at..at + size * WIDTH],
        )?;
        at += size * WIDTH;
    }
    Ok(())
}

/// Writes `rows`, a few statements for many rows.
pub fn insert_rows<const WIDTH: usize, T: Insert<WIDTH>>(
    db: &mut dyn Db,
    rows: &[T],
) -> Result<()> {
    each_statement(rows, "", |sql, params| db.exec(sql, params).map(drop))
}

/// Writes one row, the statement ending in `tail` (an `ON CONFLICT`, or
/// nothing): the rows it changed.
pub fn insert_one<const WIDTH: usize, T: Insert<WIDTH>>(
    db: &mut dyn Db,
    row: &T,
    tail: &str,
) -> Result<u64> {
    checked::<WIDTH, T>();
    db.exec(&insert_sql(T::INTO, 1, WIDTH, tail), &row.params())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_cut_into_few_statement_sizes() {
        assert_eq!(sizes(300), vec![128, 128, 32, 8, 4]);
        assert_eq!(sizes(1), vec![1]);
        assert!(sizes(0).is_empty());
        for n in 0..1_000 {
            assert_eq!(sizes(n).iter().sum::<usize>(), n);
        }
    }

    struct Pair<'a>(&'a str, i64);

    impl Insert<2> for Pair<'_> {
        const INTO: &'static str = "t (a, b)";
        fn params(&self) -> [Param<'_>; 2] {
            [self.0.into(), self.1.into()]
        }
    }

    /// What a database would be sent: each statement, and its values.
    fn statements(rows: &[Pair], tail: &str) -> Vec<(String, usize)> {
        let mut sent = Vec::new();
        each_statement(rows, tail, |sql, params| {
            sent.push((sql.to_owned(), params.len()));
            Ok(())
        })
        .unwrap();
        sent
    }

    #[test]
    fn typed_rows_make_the_statements_flat_parameters_made() {
        let rows: Vec<Pair> = (0..3).map(|i| Pair("x", i)).collect();
        assert_eq!(
            statements(&rows, "ON CONFLICT DO NOTHING"),
            vec![
                (
                    "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
                        .to_owned(),
                    4
                ),
                (
                    "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING".to_owned(),
                    2
                ),
            ]
        );
        assert!(statements(&[], "").is_empty());
    }

    #[test]
    fn the_ledgers_rows_name_as_many_columns_as_they_have_values() {
        use crate::storage::persons::{NewEntitlement, NewPayment, NewVisitEnd};
        use crate::storage::queries::{NewEvent, NewIssuance, NewIssuanceBeneficiary};
        // The build checks this where each is written; here, all at once.
        assert_eq!(columns(NewEvent::INTO), 6);
        assert_eq!(columns(NewIssuance::INTO), 6);
        assert_eq!(columns(NewIssuanceBeneficiary::INTO), 7);
        assert_eq!(columns(NewPayment::INTO), 12);
        assert_eq!(columns(NewEntitlement::INTO), 6);
        assert_eq!(columns(NewVisitEnd::INTO), 5);
        assert_eq!(
            insert_sql(NewEvent::INTO, 1, 6, ""),
            "INSERT INTO event (terminal_id, seq, event_id, kind, body_sha256, received_at) VALUES ($1, $2, $3, $4, $5, $6)"
        );
    }

    #[test]
    fn placeholders_number_on_across_rows() {
        assert_eq!(
            insert_sql("t (a, b, c)", 2, 3, ""),
            "INSERT INTO t (a, b, c) VALUES ($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(
            insert_sql("t (a)", 2, 1, "RETURNING a"),
            "INSERT INTO t (a) VALUES ($1), ($2) RETURNING a"
        );
    }
}
