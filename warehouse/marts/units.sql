-- one row per reporting unit, in the registry's order
select unit_code, unit_name, unit_kind, admin_code
from staging.units
order by registry_order
