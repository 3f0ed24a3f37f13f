-- The users' records, which the `load_viewer` middleware reads once per call, and the
-- audit trail the `audit` middleware writes after every mutation.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT,
    function TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_us BIGINT NOT NULL
);
