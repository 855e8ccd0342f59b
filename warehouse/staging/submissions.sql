-- one row per file (or summary row) ever received, as the run that received it recorded it
select
    submission_id,
    sha256,
    file_name,
    sheet,
    unit_code,
    year,
    month,
    received_at,
    arrived_at,
    precedence,
    outcome,
    messages,
    run_id
from raw.submissions
