-- one row per decision the data manager recorded on a warning (`redcross review`), oldest first
select submission_id, indicator_code, rule, decision, note, reviewed_at
from raw.reviews
