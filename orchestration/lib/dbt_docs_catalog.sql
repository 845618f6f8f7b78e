-- What dbt-duckdb's catalog reads (its macros/catalog.sql): relations, their columns and comments.
select schema_name, table_name, 'table', comment, null, null, null from duckdb_tables()
where database_name = current_database()
union all
select schema_name, view_name, 'view', comment, null, null, null from duckdb_views()
where database_name = current_database() and not internal
union all
select schema_name, table_name, 'column', comment, column_index, column_name, data_type
from duckdb_columns() where database_name = current_database() and not internal
order by all
