-- one row per accepted submission and indicator: the figure and the cell it was read from
select submission_id, indicator_code, value, prior_value, sheet, cell, remark
from raw.form_values
