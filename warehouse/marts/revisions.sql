-- one row per superseding submission and indicator whose value it changed: a unit sent a period
-- again and this figure differs from the one in the submission it replaced
with accepted as (
    -- the accepted submissions of each unit and period, in the order of precedence the submissions
    -- view uses (the last is the one in force); each follows, and replaces, the one before it
    select
        submission_id,
        unit_code,
        year,
        month,
        received_at,
        lag(submission_id) over (
            partition by unit_code, year, month
            order by precedence, received_at, submission_id
        ) as previous_id
    from staging.submissions
    where outcome = 'accepted'
),

pairs as (
    select submission_id as new_id, previous_id as old_id, unit_code, year, month, received_at
    from accepted
    where previous_id is not null
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
        p.received_at as revised_at
    from compared as c
    join pairs as p using (new_id)
    left join staging.form_values as o on o.submission_id = p.old_id and o.indicator_code = c.indicator_code
    left join staging.form_values as n on n.submission_id = p.new_id and n.indicator_code = c.indicator_code
    where o.value is distinct from n.value
)

select * from final
