-- one row per lock put on a period, oldest first: in force while unlocked_at is empty
select year, month, locked_at, reason, unlocked_at, unlock_reason
from staging.locks
order by locked_at, year, month
