-- Percentage n / d x 100 as an exact decimal, rounded half-up (away from zero) at 10 places.
-- DuckDB divides decimals in binary floating point, so this divides whole numbers of cents.
create or replace macro exact_percent(n, d) as (
    case
        when d is null or n is null or d = 0 then null
        else sign(n) * (
            (2 * abs(cast(n * 100 as hugeint)) * cast(1000000000000 as hugeint) + abs(cast(d * 100 as hugeint)))
            // (2 * abs(cast(d * 100 as hugeint)))
        )::decimal(38, 0) * sign(d) * 0.0000000001::decimal(38, 10)
    end
);

-- completion_pct - time_progress_pct in percentage points: value / target x 100 - month / 12 x 100,
-- taken as one fraction, (12 value - month target) / (12 target) x 100, so that it is rounded once
-- (at 10 places) rather than being the difference of two rounded percentages.
create or replace macro schedule_gap(value, target, month) as (
    exact_percent(12 * value - month * target, 12 * target)
);

-- a / b > c / d, exact: the cross products in whole cents (hugeint holds 10^36), no division at all.
-- Ranks are decided on this, so completions that agree to 10 places but not beyond still differ.
create or replace macro exactly_greater(a, b, c, d) as (
    cast(a * 100 as hugeint) * cast(d * 100 as hugeint) > cast(c * 100 as hugeint) * cast(b * 100 as hugeint)
);
