-- The keyholder opened the box on purpose from a page: the tamper watch ignores it until the box
-- is seen locked again (0/1).
ALTER TABLE sessions ADD COLUMN box_open_allowed BIGINT NOT NULL DEFAULT 0;
