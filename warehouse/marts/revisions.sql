-- one row per superseding submission and indicator whose value it changed: a unit sent a period
-- again and this figure differs from the one in the submission it replaced; after_lock where the
-- period had been locked before the run that loaded it started, with the unlock's reason
with accepted as (
    -- the accepted submissions of each unit and period, in the order of precedence the submissions
    -- view uses (the last is the one in force); each follows, and replaces, the one before it
    select
        submission_id,
        unit_code,
        year,
        month,
        received_at,
        run_id,
        lag(submission_id) over (
            partition by unit_code, year, month
            order by precedence, received_at, submission_id
        ) as previous_id
    from staging.submissions
    where outcome = 'accepted'
),

pairs as (
    select submission_id as new_id, previous_id as old_id, unit_code, year, month, received_at, run_id
    from accepted
    where previous_id is not null
),

-- the latest lock of the period (a year's lock holds every period of it) put before the replacing
-- submission's run started: that submission came in after the period had been closed
locked_before as (
    select p.new_id, arg_max(l.unlock_reason, l.locked_at) as reason
    from pairs as p
    join staging.runs as r using (run_id)
    join staging.locks as l
        on l.year = p.year and (l.month is null or l.month = p.month) and l.locked_at < r.started_at
    group by p.new_id
),

-- every indicator either submission of a pair gives
compared as (
    select distinct p.new_id, v.indicator_code
    from pairs as p
    join staging.form_values as v on v.submission_id = p.new_id or v.submission_id = p.old_id
),

final as (
    select
        p.unit_code,
        p.year,
        p.month,
        c.indicator_code,
        o.value as old_value,
        n.value as new_value,
        p.old_id as old_submission_id,
        p.new_id as new_submission_id,
        p.received_at as revised_at,
        lb.new_id is not null as after_lock,
        lb.reason
    from compared as c
    join pairs as p using (new_id)
    left join locked_before as lb using (new_id)
    left join staging.form_values as o on o.submission_id = p.old_id and o.indicator_code = c.indicator_code
    left join staging.form_values as n on n.submission_id = p.new_id and n.indicator_code = c.indicator_code
    where o.value is distinct from n.value
)

select * from final
