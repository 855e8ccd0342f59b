-- one row per year, period and unit of the registry: whether the unit's figures for the period are in
-- (accepted), only rejected files came (rejected), or nothing did (missing), and whether in time.
-- The periods are those in use (any unit has an accepted submission) and those the calendar expects.
with periods as (
    select distinct year, month
    from submissions
    where status = 'accepted'
    union
    select year, month
    from staging.due_dates
    where expected
),

received as (
    select
        m.unit_code,
        m.year,
        m.month,
        bool_or(m.status in ('accepted', 'superseded')) as any_accepted,
        -- the unit's first accepted form for the period, the first to land (a backfill's, the first
        -- loaded): a resubmission does not change when the period's figures first came
        arg_min(s.arrived_at, (coalesce(s.arrived_at, s.precedence), s.submission_id))
            filter (where m.status in ('accepted', 'superseded')) as arrived_at
    from submissions as m
    join staging.submissions as s using (submission_id)
    where m.unit_code is not null and m.year is not null and m.month is not null
    group by m.unit_code, m.year, m.month
),

judged as (
    select
        p.year,
        p.month,
        u.unit_code,
        u.registry_order,
        case
            when r.any_accepted then 'accepted'
            when r.unit_code is not null then 'rejected'
            else 'missing'
        end as state,
        d.due_at,
        r.arrived_at,
        case
            when d.due_at is null then null
            when r.any_accepted and r.arrived_at is null then 'unknown'
            when r.any_accepted and r.arrived_at < d.due_at then 'on_time'
            when r.any_accepted then 'late'
            when d.as_of >= d.due_at then 'overdue'
            else 'pending'
        end as timeliness,
        d.due_date,
        d.as_of
    from periods as p
    cross join staging.units as u
    left join received as r
        on r.unit_code = u.unit_code and r.year = p.year and r.month = p.month
    left join staging.due_dates as d
        on d.year = p.year and d.month = p.month
),

final as (
    select
        year,
        month,
        unit_code,
        state,
        due_at,
        arrived_at,
        timeliness,
        case timeliness
            -- whole days in Beijing (UTC+8) after the due date
            when 'late' then date_diff('day', due_date, cast(arrived_at + interval 8 hour as date))
            when 'overdue' then date_diff('day', due_date, cast(as_of + interval 8 hour as date))
        end as days_late
    from judged
    order by year, month, registry_order
)

select * from final
