-- one row per indicator, in the order of the form
select indicator_code, indicator_name, stored_unit, shown_unit
from staging.indicators
order by display_order
