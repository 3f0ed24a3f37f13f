-- The team board. Ids are SQLite rowids (`INTEGER PRIMARY KEY`); times are Unix seconds;
-- flags are 0/1 integers, so the same queries read both backends.
CREATE TABLE boards (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    members_only BIGINT NOT NULL
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    board_id BIGINT NOT NULL REFERENCES boards (id),
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    draft BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (board_id, title)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
