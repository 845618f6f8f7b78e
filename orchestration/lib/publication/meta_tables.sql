-- What a publication was built from, readable with SQL from the published file (meta schema).
create schema if not exists meta;
create or replace table meta.publication (
    publication_id varchar,   -- the publication time, e.g. 20261203T120000123456Z
    published_at timestamp,
    code_version varchar,     -- git commit of the code that built it
    returns integer           -- returns it was built from
);
create or replace table meta.publication_inputs (return_id varchar, content_sha256 varchar);
create or replace table meta.publication_checks (check_name varchar, passed boolean);
