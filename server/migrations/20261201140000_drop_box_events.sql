-- box_events (the box activity) was written on every job outcome and read by nothing:
-- the Chaster history and our kept_history already say what happened to the box.
DROP INDEX IF EXISTS box_events_wearer;
DROP TABLE IF EXISTS box_events;
