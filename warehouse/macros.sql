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
