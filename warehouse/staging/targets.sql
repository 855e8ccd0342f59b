-- one row per year and indicator the province set a target for
select year, indicator_code, target, source_file
from raw.targets
