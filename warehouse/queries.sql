-- Named queries over the analysts' views, for the report, `redcross status` and the run summary.
-- Units and indicators come in the registry's order (the order of the form).

-- name: missing_units
-- the units with no figures in force for a period (缺报)
select u.unit_name
from staging.units as u
where u.unit_code not in (select unit_code from indicator_values where year = $year and month = $month)
order by u.registry_order;

-- name: latest_period
select year, month from indicator_values order by year desc, month desc limit 1;

-- name: latest_month
-- the last month of a year with city figures: the period that year's report shows
select max(month) from city_totals where year = $year;

-- name: city_figures
select c.indicator_code, c.total, c.target, c.prior_total
from city_totals as c
join staging.indicators as i using (indicator_code)
where c.year = $year and c.month = $month
order by i.display_order;

-- name: unit_figures
-- each unit's figure with its own figure a year earlier
select v.indicator_code, v.unit_code, v.value, p.value as prior_value
from indicator_values as v
join staging.indicators as i using (indicator_code)
join staging.units as u using (unit_code)
left join indicator_values as p
    on p.unit_code = v.unit_code and p.indicator_code = v.indicator_code
   and p.year = v.year - 1 and p.month = v.month
where v.year = $year and v.month = $month
order by i.display_order, u.registry_order;

-- name: sources
-- where each unit figure of a period was read: the submission's file, the sheet and the cell
select v.indicator_code, v.unit_code, u.unit_name, v.value, s.file_name, s.sha256, f.sheet, f.cell,
       array_to_string(list_transform(s.messages, lambda m: m.message_zh), '；') as messages
from indicator_values as v
join submissions as s using (submission_id)
join staging.form_values as f using (submission_id, indicator_code)
join staging.indicators as i using (indicator_code)
join staging.units as u on u.unit_code = v.unit_code
where v.year = $year and v.month = $month
order by i.display_order, u.registry_order;

-- name: recent_runs
select run_id, kind, started_at, finished_at, status, files_seen, files_accepted, files_rejected
from runs
order by started_at desc
limit $runs;

-- name: run_submissions
select file_name, status, messages from submissions where run_id = $run_id order by file_name;

-- name: waiting_warnings
-- every warning of a submission still in force, newest period first
select file_name, unit_code, year, month, unnest(messages) as m
from submissions
where status = 'accepted' and len(messages) > 0
order by year desc, month desc, file_name;

-- name: city_totals
select year, month, indicator_code, total from city_totals order by all;

-- name: view_comment
select comment from duckdb_views() where schema_name = $schema and view_name = $view;

-- name: view_columns
select column_name, data_type, comment
from duckdb_columns()
where schema_name = $schema and table_name = $view
order by column_index;
