-- one row per year the warehouse holds forms for and month: when the period is due, and whether it was expected
select year, month, due_date, due_at, expected, as_of
from raw.due_dates
