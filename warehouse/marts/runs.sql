-- one row per nightly run or backfill
select run_id, kind, started_at, finished_at, status, files_seen, files_accepted, files_rejected
from staging.runs
