select indicator_code, indicator_name, stored_unit, shown_unit
from raw.indicators
order by display_order
