-- The reporting calendar. Added to warehouses made before without touching what they hold.

-- when the file landed in the inbox (its status-change time there), UTC; null for a backfill's files
alter table raw.submissions add column if not exists arrived_at timestamp;

-- each period of each year the warehouse holds forms for, with its due time as the calendar
-- (core/calendar.toml, a home's own calendar.toml) gave it when a run last rebuilt the views
create table if not exists raw.due_dates (
    year     integer not null,
    month    integer not null,
    due_date date not null,         -- the last day (Beijing) on which the period's form is on time
    due_at   timestamp not null,    -- UTC: the end of that day in Beijing; a form landing from then on is late
    expected boolean not null,      -- the office collects the period and it had ended by as_of
    as_of    timestamp not null,    -- UTC: when the run that wrote the row started
    primary key (year, month)
);
