-- The database every throughline table lives in. Placeholders: {{database}}, {{onCluster}}.
CREATE DATABASE IF NOT EXISTS {{database}} {{onCluster}}
