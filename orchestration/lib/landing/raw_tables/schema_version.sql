-- raw.schema_version: Version of the raw schema's columns: an older one is dropped and every return re-parsed.
create table if not exists raw.schema_version (
    version integer not null
);
