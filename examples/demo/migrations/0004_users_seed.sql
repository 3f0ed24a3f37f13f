INSERT INTO users (name, display_name) VALUES
    ('admin', 'Ada Admin'),
    ('member', 'Max Member'),
    ('guest', 'Gil Guest');
