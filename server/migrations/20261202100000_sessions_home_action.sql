-- The entry last queued for the wearer's Chaster lock page (`metadata.homeActions`), as JSON:
-- a new one is written only when it differs, so status reads cost Chaster nothing while the
-- box stays the same.
ALTER TABLE sessions ADD COLUMN home_action TEXT;
