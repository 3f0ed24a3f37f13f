INSERT INTO boards (slug, name, description, members_only) VALUES
    ('general', 'General', 'Anything the whole team should see.', 0),
    ('releases', 'Releases', 'What shipped, and when.', 0),
    ('team', 'Team room', 'Members only: plans before they are public.', 1);
INSERT INTO posts (board_id, author, title, body, draft, created_at, updated_at) VALUES
    (1, 'admin', 'Welcome to the board', 'Sign in as member or admin to write; guests only read.', 0, 1767225600, 1767225600),
    (2, 'admin', 'Version 0.1', 'Typed functions, shared caches, channels and forms.', 0, 1767225600, 1767225600),
    (3, 'admin', 'Secret roadmap', 'Only members ever see this sentence.', 0, 1767225600, 1767225600);
