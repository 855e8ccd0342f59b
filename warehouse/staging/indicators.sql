-- one row per indicator of the registry in force, with its place on the form
select indicator_code, indicator_name, stored_unit, shown_unit, kind, display_order
from raw.indicators
