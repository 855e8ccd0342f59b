-- one row per year, unit and indicator the city set the unit a target for (任务分解)
select year, unit_code, indicator_code, target, source_file
from raw.unit_targets
