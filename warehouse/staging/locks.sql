-- one row per lock the data manager put on a period (`redcross lock`), with its unlock where there is one
select year, month, locked_at, reason, unlocked_at, unlock_reason
from raw.locks
