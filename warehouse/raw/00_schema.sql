-- The writer's own tables. Analysts read the views of models/, built over these.
create schema if not exists raw;

create table if not exists raw.runs (
    run_id        varchar primary key,
    kind          varchar not null,        -- nightly or backfill
    started_at    timestamp not null,      -- UTC
    finished_at   timestamp,
    status        varchar not null,        -- running, succeeded, failed, interrupted
    files_seen    integer,
    files_accepted integer,
    files_rejected integer
);

create table if not exists raw.submissions (
    submission_id varchar primary key,     -- first 16 hex digits of the file's SHA-256
    sha256        varchar not null,
    file_name     varchar not null,
    sheet         varchar,
    unit_code     varchar,
    year          integer,
    month         integer,
    received_at   timestamp not null,      -- the file's modification time, UTC
    precedence    timestamp not null,      -- of two accepted submissions for a unit and period, the
                                           -- later wins: received_at, or a backfill's load time
    outcome       varchar not null check (outcome in ('accepted', 'rejected')),
    run_id        varchar not null,
    messages      struct(
        severity varchar, rule varchar, sheet varchar, cell varchar, indicator varchar,
        value varchar, expected varchar, message_zh varchar, message_en varchar
    )[] not null
);

create table if not exists raw.form_values (
    submission_id  varchar not null,
    indicator_code varchar not null,
    value          decimal(18, 2) not null,   -- in the stored unit: 元 for money
    prior_value    decimal(18, 2),            -- the form's 上年同期数, as written
    sheet          varchar not null,
    cell           varchar not null,
    primary key (submission_id, indicator_code)
);

-- The province's targets for the city (省定指标).
create table if not exists raw.targets (
    year           integer not null,
    indicator_code varchar not null,
    target         decimal(18, 2) not null,
    source_file    varchar not null,
    primary key (year, indicator_code)
);

-- The city's targets for its units (任务分解), from the 单位 column of a targets file. A table of
-- their own rather than a unit column in raw.targets: a warehouse made before units had targets
-- keeps its raw.targets (and its primary key) as it is, and simply gains this table.
create table if not exists raw.unit_targets (
    year           integer not null,
    unit_code      varchar not null,
    indicator_code varchar not null,
    target         decimal(18, 2) not null,
    source_file    varchar not null,
    primary key (year, unit_code, indicator_code)
);

create table if not exists raw.units (
    unit_code  varchar primary key,
    unit_name  varchar not null,
    unit_kind  varchar not null,
    admin_code varchar
);

create table if not exists raw.indicators (
    indicator_code varchar primary key,
    indicator_name varchar not null,
    stored_unit    varchar not null,
    shown_unit     varchar not null,
    kind           varchar not null,
    display_order  integer not null
);

-- What the targets/ folder held when it was last read, and what was wrong with it then: a run
-- that finds the folder unchanged neither reads nor validates it again, and says those problems again.
create table if not exists raw.targets_read (
    fingerprint varchar not null,      -- SHA-256 of the files' names and bytes, the registry and the suite
    problems    json not null          -- what was found then: a list of the problems' fields
);
