-- Named queries over the analysts' views, for the report, `redcross status` and the run summary.
-- Units and indicators come in the registry's order (the order of the form).

-- name: missing_units_of_periods
-- the units with no figures in force for each of several periods (缺报), the views read once:
-- (year, month, unit_name), periods in the order given, units in registry order
with wanted as (
    select unnest($years::integer[]) as year, unnest($months::integer[]) as month, generate_subscripts($years::integer[], 1) as n
),
reported as (
    select distinct v.year, v.month, v.unit_code
    from indicator_values as v
    join wanted as w using (year, month)
)
select w.year, w.month, u.unit_name
from wanted as w
cross join staging.units as u
left join reported as r on r.year = w.year and r.month = w.month and r.unit_code = u.unit_code
where r.unit_code is null
order by w.n, u.registry_order;

-- name: latest_period
select year, month from indicator_values order by year desc, month desc limit 1;

-- name: years_held
-- the years with figures in force, oldest first
select distinct year from indicator_values order by year;

-- name: latest_month
-- the last month of a year with city figures: the period that year's report shows
select max(month) from city_totals where year = $year;

-- name: city_figures
select c.indicator_code, c.total, c.target, c.prior_total,
       c.comparable_units, c.comparable_total, c.comparable_prior_total, c.complete
from city_totals as c
join staging.indicators as i using (indicator_code)
where c.year = $year and c.month = $month
order by i.display_order;

-- name: comparable_left_out
-- per indicator of a period whose totals do not compare (not complete), the units left out of the
-- comparable figures and why: 'current' (no figure this period), 'prior' (none a year earlier), 'both'
select c.indicator_code, u.unit_name,
       case when v.unit_code is null and p.unit_code is null then 'both'
            when v.unit_code is null then 'current' else 'prior' end as missing
from city_totals as c
cross join staging.units as u
join staging.indicators as i on i.indicator_code = c.indicator_code
left join indicator_values as v
    on v.unit_code = u.unit_code and v.indicator_code = c.indicator_code
    and v.year = c.year and v.month = c.month
left join indicator_values as p
    on p.unit_code = u.unit_code and p.indicator_code = c.indicator_code
    and p.year = c.year - 1 and p.month = c.month
where c.year = $year and c.month = $month and not c.complete
  and (v.unit_code is null or p.unit_code is null)
order by i.display_order, u.registry_order;

-- name: unit_figures
-- each unit's figure with its own target, its own figure a year earlier and its rank
select v.indicator_code, v.unit_code, v.value, v.target, v.prior_value, v.rank
from unit_progress as v
join staging.indicators as i using (indicator_code)
join staging.units as u using (unit_code)
where v.year = $year and v.month = $month
order by i.display_order, u.registry_order;

-- name: unit_targets
-- the targets the city set its units for a year, reported or not
select t.indicator_code, t.unit_code, t.target
from staging.unit_targets as t
join staging.indicators as i using (indicator_code)
join staging.units as u using (unit_code)
where t.year = $year
order by i.display_order, u.registry_order;

-- name: period_revisions
-- what resubmissions for a period changed, with the files replaced and replacing
select r.unit_code, u.unit_name, r.indicator_code, r.old_value, r.new_value,
       r.old_submission_id, o.file_name as old_file, r.new_submission_id, n.file_name as new_file, r.revised_at,
       r.after_lock, r.reason
from revisions as r
join staging.units as u using (unit_code)
join staging.indicators as i using (indicator_code)
join submissions as o on o.submission_id = r.old_submission_id
join submissions as n on n.submission_id = r.new_submission_id
where r.year = $year and r.month = $month
order by r.revised_at, u.registry_order, i.display_order;

-- name: run_revisions
-- what the submissions a run received changed (the night's revisions)
select u.unit_name, r.year, r.month, i.indicator_name, i.kind, r.old_value, r.new_value, r.after_lock, r.reason
from revisions as r
join submissions as n on n.submission_id = r.new_submission_id
join staging.units as u on u.unit_code = r.unit_code
join staging.indicators as i on i.indicator_code = r.indicator_code
where n.run_id = $run_id
order by r.year, r.month, u.registry_order, i.display_order;

-- name: coverage
-- who has reported which period of a year: the units down, the periods in use across
select c.unit_code, u.unit_name, c.month, c.state, c.timeliness, c.days_late
from coverage as c
join staging.units as u using (unit_code)
where c.year = $year
order by u.registry_order, c.month;

-- name: reporting_rates
-- 报送率 and 按时报送率 per period of a year, with how many of the reported units' arrivals are known
select r.month, r.expected, r.reported, r.rate_pct, r.on_time, r.on_time_pct,
       (select count(*) from coverage as c
        where c.year = r.year and c.month = r.month and c.timeliness in ('on_time', 'late')) as arrivals_known
from reporting_rates as r
where r.year = $year
order by r.month;

-- name: unreported
-- the units with no accepted form for a period of coverage that has a due date (overdue or pending)
select u.unit_name, c.year, c.month, d.due_date, c.due_at
from coverage as c
join staging.units as u using (unit_code)
join staging.due_dates as d using (year, month)
where c.state <> 'accepted'
order by c.year, c.month, u.registry_order;

-- name: sources
-- where each unit figure of a period was read: the submission's file, the sheet and the cell, and
-- its submission's warnings, each with the form's explanation (说明) where the row has one
with warnings as (
    select d.submission_id,
           string_agg(d.message_zh || coalesce('（说明：' || d.remark || '）', ''), '；'
                      order by i.display_order nulls last, d.cell, d.rule) as messages
    from data_issues as d
    left join staging.indicators as i using (indicator_code)
    group by d.submission_id
)
select v.indicator_code, v.unit_code, u.unit_name, v.value, s.file_name, s.sha256, f.sheet, f.cell,
       coalesce(w.messages, '') as messages
from indicator_values as v
join submissions as s using (submission_id)
left join warnings as w using (submission_id)
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

-- name: waiting_issues
-- the warnings of submissions in force still waiting (open or queried), newest period first,
-- units in registry order and indicators in form order
select s.file_name, u.unit_name, d.year, d.month, i.indicator_name, d.cell, d.message_zh, d.message_en,
       d.state, d.remark, d.review_note, d.reviewed_at
from data_issues as d
join submissions as s using (submission_id)
join staging.units as u on u.unit_code = d.unit_code
left join staging.indicators as i on i.indicator_code = d.indicator_code
where d.state in ('open', 'queried')
order by d.year desc, d.month desc, u.registry_order, s.file_name, i.display_order nulls last, d.cell;

-- name: settled_issues
-- how many warnings in force are settled, by state: explained or confirmed
select state, count(*) from data_issues where state in ('explained', 'confirmed') group by state;

-- name: city_totals
-- every city total, by period and in form order, with what a person needs to read it
select c.year, c.month, c.indicator_code, i.indicator_name, i.shown_unit, i.kind, c.total
from city_totals as c
join staging.indicators as i using (indicator_code)
order by c.year, c.month, i.display_order;

-- name: view_comment
select comment from duckdb_views() where schema_name = $schema and view_name = $view;

-- name: view_columns
select column_name, data_type, comment
from duckdb_columns()
where schema_name = $schema and table_name = $view
order by column_index;

-- name: locks_in_force
-- the periods closed now (redcross lock), by year and month, a year's own lock first
select year, month, locked_at, reason
from locks
where unlocked_at is null
order by year, month nulls first;
