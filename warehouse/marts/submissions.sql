-- one row per submission; of the accepted ones for a unit and period, the latest file wins
-- (a backfill from a folder of historical files counts as received when it loads them)
with accepted as (
    select
        submission_id,
        row_number() over (
            partition by unit_code, year, month
            order by precedence desc, received_at desc, submission_id desc
        ) as recency
    from staging.submissions
    where outcome = 'accepted'
),

final as (
    select
        s.submission_id,
        s.file_name,
        s.sha256,
        s.unit_code,
        s.year,
        s.month,
        case
            when s.outcome = 'rejected' then 'rejected'
            when a.recency = 1 then 'accepted'
            else 'superseded'
        end as status,
        s.received_at,
        s.arrived_at,
        s.messages,
        s.run_id
    from staging.submissions as s
    left join accepted as a using (submission_id)
)

select * from final
