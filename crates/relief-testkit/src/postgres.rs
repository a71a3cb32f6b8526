//! The test server, and a schema of its own for each test.

use postgres::{Client, NoTls};

/// The server, without a database: `RELIEF_TEST_POSTGRES_SERVER`, or the
/// one every machine of this kind runs.
pub fn server() -> String {
    std::env::var("RELIEF_TEST_POSTGRES_SERVER")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432".to_owned())
}

/// The test database: `RELIEF_TEST_POSTGRES`, or `test` on [`server`].
pub fn url() -> String {
    std::env::var("RELIEF_TEST_POSTGRES").unwrap_or_else(|_| format!("{}/test", server()))
}

/// A connection to the test database, or `None` once the test has been
/// skipped (see [`crate::skip`]) because no server answers.
#[track_caller]
pub fn admin(test: &str) -> Option<Client> {
    let url = url();
    match Client::connect(&url, NoTls) {
        Ok(client) => Some(client),
        Err(e) => {
            crate::skip(format!(
                "{test}: no PostgreSQL at {url} ({e}); it runs in CI"
            ));
            None
        }
    }
}

/// A schema of the test database that only one test uses, dropped with
/// this value, along with any schema whose name it begins (a test's
/// template or backup copies).
pub struct Schema {
    pub name: String,
    admin: Client,
}

impl Schema {
    /// `None` once the test has been skipped because no server answers.
    #[track_caller]
    pub fn create(test: &str) -> Option<Schema> {
        let mut admin = admin(test)?;
        let name = format!("t_{:016x}", fastrand::u64(..));
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .expect("a test schema is created");
        Some(Schema { name, admin })
    }

    /// The test database's URL, with this schema first on the search path.
    pub fn url(&self) -> String {
        format!("{}?options=-csearch_path%3D{}", url(), self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let pattern = format!("{}%", self.name);
        let Ok(rows) = self.admin.query(
            "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE $1",
            &[&pattern],
        ) else {
            return;
        };
        for row in rows {
            let schema: String = row.get(0);
            let _ = self
                .admin
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}
