-- A clerk who leaves is removed, not deleted: issuances, voids and the
-- audit chain still name them. A removed clerk cannot sign in, and a
-- removed supervisor's key slot is gone from the key file.
CREATE TABLE clerk_removal (
    employee_id  TEXT PRIMARY KEY REFERENCES clerk (employee_id),
    removed_at   TEXT NOT NULL,
    removed_by   TEXT NOT NULL REFERENCES clerk (employee_id)
);
