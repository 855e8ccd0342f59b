-- one row per message of a submission that concerns an indicator or carries a remark
select submission_id, message_no, indicator_code, remark
from raw.message_notes
