-- Locks: periods the data manager closed once their figures were quoted (`redcross lock`),
-- and opened again (`redcross unlock`). Added to warehouses made before as a table of its own.
-- Never deleted by a run, a backfill or a rebuild: like raw.reviews, no statement of a run touches it
-- (a backfill replaces submissions and their figures only), and an unlock fills in the lock's row.
create table if not exists raw.locks (
    year          integer not null,
    month         integer,                 -- the period 1..month of the year; null: the whole year
    locked_at     timestamp not null,      -- UTC
    reason        varchar not null,
    unlocked_at   timestamp,               -- UTC; null while the lock is in force
    unlock_reason varchar
);
