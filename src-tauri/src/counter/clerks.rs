//! The clerks screen: who may sign in at this counter.

use relief_store::NewClerk;
use zeroize::Zeroizing;

use super::views::*;
use super::{Counter, Result};

impl Counter {
    pub fn clerks(&self) -> Result<Vec<ClerkRow>> {
        self.supervisor()?;
        Ok(self
            .store()?
            .clerks()?
            .into_iter()
            .map(|c| ClerkRow {
                employee_id: c.employee_id,
                name: c.name,
                role_label: c.role.label().into(),
            })
            .collect())
    }

    pub fn add_clerk(&self, input: &ClerkInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let now = self.now();
        self.store()?.add_clerk(
            Some(&supervisor),
            NewClerk {
                employee_id: input.employee_id.clone(),
                name: input.name.clone(),
                role: input.role,
                pin: Zeroizing::new(input.pin.clone()),
            },
            now,
        )?;
        Ok(())
    }
}
