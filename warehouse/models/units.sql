select unit_code, unit_name, unit_kind, admin_code
from raw.units
