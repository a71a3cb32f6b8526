//! Many rows in few statements, for a push whose events meet nothing
//! already recorded: the rows `queries` writes one at a time, a table at a
//! time. On PostgreSQL each statement is a round trip and a plan; a batch
//! of 100 issuances takes about 25 statements here instead of 500.

use super::{Db, Param, StorageError};

type Result<T> = std::result::Result<T, StorageError>;

/// Rows per statement, largest first. A batch is cut into these sizes, so
/// that each connection prepares a few statements and reuses them.
const SIZES: [usize; 8] = [128, 64, 32, 16, 8, 4, 2, 1];

/// The statement sizes for `n` rows: 300 is 128 + 128 + 32 + 8 + 4.
fn sizes(mut n: usize) -> Vec<usize> {
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

/// Runs `params.len() / width` rows into `into` (`table (columns)`) as
/// statements of the fixed sizes, each ending in `tail`.
pub(crate) fn each_statement(
    into: &str,
    width: usize,
    params: &[Param],
    tail: &str,
    mut run: impl FnMut(&str, &[Param]) -> Result<()>,
) -> Result<()> {
    debug_assert_eq!(params.len() % width, 0);
    let mut at = 0;
    for rows in sizes(params.len() / width) {
        run(
            &insert_sql(into, rows, width, tail),
            &params[at..at + rows * width],
        )?;
        at += rows * width;
    }
    Ok(())
}

/// Runs the rows into `into` (`table (columns)`), `width` parameters each.
pub(crate) fn insert(db: &mut dyn Db, into: &str, width: usize, params: &[Param]) -> Result<()> {
    each_statement(into, width, params, "", |sql, params| {
        db.exec(sql, params).map(drop)
    })
}

/// Rows of `event`: terminal_id, seq, event_id, kind, body_sha256, received_at.
pub fn insert_events(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    insert(
        db,
        "event (terminal_id, seq, event_id, kind, body_sha256, received_at)",
        6,
        rows,
    )
}

/// Rows of `issuance`: id, terminal_id, issued_at, verification,
/// total_krw, received_at.
pub fn insert_issuances(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    insert(
        db,
        "issuance (id, terminal_id, issued_at, verification, total_krw, received_at)",
        6,
        rows,
    )
}

/// Rows of `issuance_beneficiary`: issuance_id, position, beneficiary_key,
/// sigungu, household_size, amount_krw, shares.
pub fn insert_beneficiaries(db: &mut dyn Db, rows: &[Param]) -> Result<()> {
    insert(
        db,
        "issuance_beneficiary (issuance_id, position, beneficiary_key, sigungu, household_size, amount_krw, shares)",
        7,
        rows,
    )
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
