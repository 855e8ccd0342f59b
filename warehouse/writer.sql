-- What the pipeline's runs read and write in the writer's own database (never the analysts' file).
-- Each statement is named for warehouse/writer.py; frames such as incoming_submissions are
-- registered by the caller for the statement's length.

-- name: publishing_years
-- the years a run killed after its commit had taken figures for: their reports were perhaps never written
select coalesce(list(distinct s.year) filter (where s.year is not null), [])
from raw.submissions as s
join raw.runs as r using (run_id)
where r.status = 'publishing';

-- name: mark_interrupted
update raw.runs set status = 'interrupted' where status in ('running', 'publishing');

-- name: insert_run
insert into raw.runs (run_id, kind, started_at, status) values ($run_id, $kind, $started_at, 'running');

-- name: finish_run
update raw.runs
set status = $status, finished_at = $finished_at,
    files_seen = $seen, files_accepted = $accepted, files_rejected = $rejected
where run_id = $run_id;

-- name: delete_units
delete from raw.units;

-- name: insert_unit
insert into raw.units values (?, ?, ?, ?);

-- name: delete_indicators
delete from raw.indicators;

-- name: insert_indicator
insert into raw.indicators values (?, ?, ?, ?, ?, ?);

-- name: years_received
select distinct year from raw.submissions where outcome = 'accepted' and year is not null order by year;

-- name: delete_due_dates
delete from raw.due_dates;

-- name: insert_due_date
insert into raw.due_dates (year, month, due_date, due_at, expected, as_of) values (?, ?, ?, ?, ?, ?);

-- name: known_files
-- every file received but those whose forms were all rejected only because their period was locked,
-- and are locked no more: such a file counts as new when it comes back
select sha256, min(outcome) from raw.submissions
where submission_id not in (select submission_id from reopened_rejections)
group by sha256;

-- name: known_files_before_locks
-- the same, in a warehouse published before locks were kept (a dry run may read one)
select sha256, min(outcome) from raw.submissions group by sha256;

-- name: keeps_locks
select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'locks';

-- name: reopened_rejections
-- the submissions rejected for period_locked and nothing else whose period is locked no more
create or replace temp view reopened_rejections as
select s.submission_id
from raw.submissions as s
where s.outcome = 'rejected'
  and len([m for m in s.messages if m.rule = 'period_locked']) > 0
  and len([m for m in s.messages if m.severity = 'error' and m.rule <> 'period_locked']) = 0
  and not exists (
      select 1 from raw.locks as l
      where l.unlocked_at is null and l.year = s.year and (l.month is null or l.month = s.month)
  );

-- name: forget_reopened_notes
-- a file rejected only for a lock, back after the unlock: its new verdict replaces the old one
delete from raw.message_notes
where submission_id in (select submission_id from reopened_rejections)
  and submission_id in (select submission_id from incoming_submissions);

-- name: forget_reopened_submissions
delete from raw.submissions
where submission_id in (select submission_id from reopened_rejections)
  and submission_id in (select submission_id from incoming_submissions);

-- name: figures_for
-- the figures in force for the (unit, year, month) rows of wanted_periods
select v.unit_code, v.year, v.month, v.indicator_code, v.value
from indicator_values as v
join wanted_periods as w using (unit_code, year, month);

-- name: year_to_date_figures
-- the figures in force for the (unit, year) rows of wanted_years, every period, each with the file,
-- sheet and cell it came from: what a year-to-date figure is compared with (cumulative_decrease)
select v.unit_code, v.year, v.month, v.indicator_code, v.value, s.file_name, f.sheet, f.cell
from indicator_values as v
join wanted_years as w using (unit_code, year)
join submissions as s using (submission_id)
join staging.form_values as f using (submission_id, indicator_code);

-- name: keep_rerun_submissions
-- submissions read again from the archive keep the name they arrived under, when they landed and their precedence
create or replace temp table kept as
select r.submission_id,
       coalesce(s.file_name, r.file_name) as file_name,
       coalesce(s.precedence, r.precedence) as precedence,
       case when s.submission_id is null then r.arrived_at else s.arrived_at end as arrived_at
from rerun_submissions as r
left join raw.submissions as s using (submission_id);

-- name: delete_kept_values
delete from raw.form_values where submission_id in (select submission_id from kept);

-- name: delete_kept_notes
delete from raw.message_notes where submission_id in (select submission_id from kept);

-- name: delete_kept_submissions
delete from raw.submissions where submission_id in (select submission_id from kept);

-- name: kept_submissions
select * from kept;

-- name: insert_submissions
insert into raw.submissions by name
select * from incoming_submissions
where submission_id not in (select submission_id from raw.submissions);

-- name: insert_notes
-- run before insert_submissions: the notes of submissions not yet known (a known one keeps its own)
insert into raw.message_notes by name
select * from incoming_notes
where submission_id not in (select submission_id from raw.submissions);

-- name: insert_values
insert into raw.form_values by name
select * from incoming_values
where submission_id not in (select distinct submission_id from raw.form_values);

-- name: delete_targets_of
delete from raw.targets where list_contains($files, source_file);

-- name: delete_unit_targets_of
delete from raw.unit_targets where list_contains($files, source_file);

-- name: insert_targets
-- the rows without a unit are the city's, from the province
insert into raw.targets by name
select year, indicator_code, target, source_file from incoming_targets where unit_code is null;

-- name: insert_unit_targets
insert into raw.unit_targets by name
select year, unit_code, indicator_code, target, source_file from incoming_targets where unit_code is not null;

-- name: targets_read
select problems from raw.targets_read where fingerprint = ?;

-- name: forget_targets_read
delete from raw.targets_read;

-- name: remember_targets_read
insert into raw.targets_read values (?, ?);

-- name: city_figures
-- every city total, to say afterwards which figures a run changed
select year, month, indicator_code, total from city_totals;

-- name: issue_in_force
-- a warning of the submission in force for a unit and period, by indicator and rule (redcross review)
select submission_id, state
from data_issues
where unit_code = $unit_code and year = $year and month = $month
  and indicator_code = $indicator_code and rule = $rule
limit 1;

-- name: issues_of_period
-- the warnings in force for a unit and period, to name them when a review names none of them
select distinct indicator_code, rule
from data_issues
where unit_code = $unit_code and year = $year and month = $month
order by indicator_code, rule;

-- name: insert_review
insert into raw.reviews (submission_id, indicator_code, rule, decision, note, reviewed_at)
values ($submission_id, $indicator_code, $rule, $decision, $note, $reviewed_at);

-- name: lock_in_force
-- the lock in force on exactly this period (month null: the whole year's lock)
select locked_at, reason from raw.locks
where unlocked_at is null and year = $year and month is not distinct from $month;

-- name: insert_lock
insert into raw.locks (year, month, locked_at, reason) values ($year, $month, $locked_at, $reason);

-- name: unlock
update raw.locks set unlocked_at = $unlocked_at, unlock_reason = $reason
where unlocked_at is null and year = $year and month is not distinct from $month;

-- name: locks_in_force
-- every lock in force: (year, month or null for the whole year, reason)
select year, month, reason from raw.locks where unlocked_at is null order by year, month nulls first;

-- name: locks_signature
-- what the locks are, to tell whether the published copy has them all (a lock killed before its publish)
select count(*), max(locked_at), max(unlocked_at) from raw.locks;
