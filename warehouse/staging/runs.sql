-- one row per run, as the run recorded itself
select run_id, kind, started_at, finished_at, status, files_seen, files_accepted, files_rejected
from raw.runs
