-- The tables are created by marketbench's migrations (the `schema` service), not here.
CREATE DATABASE IF NOT EXISTS otel;
