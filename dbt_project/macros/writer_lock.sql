{#- One writer at a time (orchestration/lib/lock.py): dbt refuses to write a warehouse's build
    database unless it was started by the holder of that warehouse's writer lock, which hands it
    the lock's token (WAREHOUSE_WRITER_TOKEN); it never writes a published file or a kept version.
    A database with no lock file beside its warehouse (a copy in a test, the check's temporary
    database) was never a warehouse's: dbt runs on it freely. To run dbt by hand on a build
    database, use `warehouse dbt …`, which takes the lock. Run on every dbt command that runs
    hooks (build, run, seed, test, snapshot), before any node. -#}
{% macro assert_writer_lock() %}
  {%- if execute and target.type == 'duckdb' -%}
    {%- set parts = target.path.replace('\\', '/').split('/') -%}
    {%- set name = parts[-1] -%}
    {%- set stem = name.rsplit('.', 1)[0] -%}
    {%- set dirs = parts[:-1] -%}
    {%- if dirs and dirs[-1] == '.build-' ~ stem -%}
      {%- set kind, lock_dirs = 'build', dirs[:-1] -%}
    {%- elif dirs | length >= 2 and dirs[-2] == 'versions' -%}
      {%- set kind, lock_dirs = 'a kept version', dirs[:-2] -%}
    {%- else -%}
      {%- set kind, lock_dirs = 'published', dirs -%}
    {%- endif -%}
    {%- set lock = (lock_dirs | join('/') if lock_dirs else '.') ~ '/.refresh-' ~ stem ~ '.lock' -%}
    {%- set lock_sql = lock.replace("'", "''") -%}
    {%- set found = run_query("select count(*) from glob('" ~ lock_sql ~ "')").columns[0].values()[0] -%}
    {%- if found -%}
      {%- if kind != 'build' -%}
        {{ exceptions.raise_compiler_error(
            "dbt refuses to write " ~ target.path ~ ": it is " ~ kind ~ " warehouse file, which "
            ~ "only publication replaces; dbt builds in the build database (.build-" ~ stem ~ "/"
            ~ name ~ ").") }}
      {%- endif -%}
      {%- set content = run_query("select content from read_text('" ~ lock_sql ~ "')").columns[0].values()[0] -%}
      {%- set holder = fromjson(content) if content else none -%}
      {%- if not holder or holder.get('token') != env_var('WAREHOUSE_WRITER_TOKEN', '') -%}
        {{ exceptions.raise_compiler_error(
            "dbt refuses to write the build database " ~ target.path ~ " unless started by the "
            ~ "holder of the warehouse's writer lock (" ~ lock ~ (", held now by pid "
            ~ holder.get('pid') ~ ", `" ~ holder.get('command') ~ "`" if holder else ", free now")
            ~ "): run it as `warehouse dbt <dbt arguments>`, which takes the lock.") }}
      {%- endif -%}
    {%- endif -%}
  {%- endif -%}
{% endmacro %}
