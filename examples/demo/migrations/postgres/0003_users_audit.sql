-- As in ../sqlite, with a BIGSERIAL id for the audit trail.
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL
);

CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    user_id TEXT,
    function TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_us BIGINT NOT NULL
);
