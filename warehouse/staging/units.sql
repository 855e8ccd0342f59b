-- one row per unit of the registry in force, in the registry's order
select unit_code, unit_name, unit_kind, admin_code, rowid as registry_order
from raw.units
