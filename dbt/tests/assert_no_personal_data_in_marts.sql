-- No name, CCCD or birth date column reaches the published schema.
select
    table_name,
    column_name
from information_schema.columns
where
    table_schema = 'marts'
    and (
        lower(column_name) in ('name', 'full_name', 'ho_ten', 'cccd', 'so_cccd', 'birth_date')
        or lower(column_name) like '%cccd%'
        or lower(column_name) like '%birth_date%'
    )
